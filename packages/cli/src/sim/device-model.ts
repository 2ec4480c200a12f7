/**
 * The 2.x device model of a simulated station: components and variables with their attributes,
 * mutability and characteristics, behind GetVariables, SetVariables, GetBaseReport and GetReport
 * with the statuses of OCPP 2.0.1 Part 2 (B05-B08). It covers the controllers Part 2 lists as
 * required (OCPPCommCtrlr, SecurityCtrlr, TxCtrlr, SampledDataCtrlr, AuthCtrlr, DeviceDataCtrlr,
 * ...), the station, each EVSE and each connector.
 *
 * The definition is built once per fleet shape and shared by every station; a station keeps only
 * the values it was given (a map made on the first write). Variables that are also 1.6 keys the
 * simulator acts on (HeartbeatInterval, MeterValueSampleInterval, ...) are read and written
 * through the station's configuration, so a SetVariables takes effect as a ChangeConfiguration
 * does.
 */
import { fromVariable, type Request21, type Response21 } from '@ocpp/generic-api';

type Mutability = 'ReadOnly' | 'ReadWrite' | 'WriteOnly';
type DataType =
  | 'string'
  | 'decimal'
  | 'integer'
  | 'dateTime'
  | 'boolean'
  | 'OptionList'
  | 'SequenceList'
  | 'MemberList';

type ComponentRef = Response21<'GetVariables'>['getVariableResult'][number]['component'];
type VariableRef = Response21<'GetVariables'>['getVariableResult'][number]['variable'];
type ReportData = NonNullable<Request21<'NotifyReport'>['reportData']>[number];

/** One variable of the model. */
export interface DeviceVariable {
  readonly component: ComponentRef;
  readonly variable: VariableRef;
  readonly mutability: Mutability;
  readonly dataType: DataType;
  /** The value a station starts with. */
  readonly value: string;
  readonly unit?: string;
  readonly valuesList?: string;
  readonly minLimit?: number;
  readonly maxLimit?: number;
  /** A new value takes effect after a reboot (SetVariables answers `RebootRequired`). */
  readonly rebootRequired?: boolean;
  /** Kept by the station's configuration (a 1.6 key the simulator acts on). */
  readonly key16?: string;
  /** Listed in a SummaryInventory base report. */
  readonly summary?: boolean;
}

/** The shape of a fleet's stations, which decides its model. */
export interface ModelShape {
  readonly connectors: number;
  readonly model: string;
  readonly vendor: string;
  readonly maxPowerW: number;
  readonly securityProfile: number;
}

/** Variables per NotifyReport part (DeviceDataCtrlr.ItemsPerMessage[GetReport]). */
export const REPORT_ITEMS_PER_MESSAGE = 20;
/** Entries per GetVariables / SetVariables request the model takes. */
const ITEMS_PER_MESSAGE = 50;

const MEASURANDS = 'Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC';

/** The keys the simulator's configuration keeps (its 1.6 names). */
const KEPT_16 = new Set([
  'HeartbeatInterval',
  'MeterValueSampleInterval',
  'MeterValuesSampledData',
  'AuthorizeRemoteTxRequests',
  'ConnectionTimeOut',
  'LocalAuthorizeOffline',
]);

function variables(shape: ModelShape): DeviceVariable[] {
  const out: DeviceVariable[] = [];
  const add = (
    component: ComponentRef,
    name: string,
    mutability: Mutability,
    dataType: DataType,
    value: string,
    extra: Partial<DeviceVariable> & { instance?: string } = {},
  ) => {
    const { instance, ...rest } = extra;
    const variable: VariableRef = instance === undefined ? { name } : { name, instance };
    const key = fromVariable({
      component: component.name,
      ...(component.instance === undefined ? {} : { componentInstance: component.instance }),
      variable: name,
      ...(instance === undefined ? {} : { variableInstance: instance }),
    });
    out.push({
      component,
      variable,
      mutability,
      dataType,
      value,
      ...(KEPT_16.has(key) && component.evse === undefined ? { key16: key } : {}),
      ...rest,
    });
  };
  const station = { name: 'ChargingStation' };
  add(station, 'AvailabilityState', 'ReadOnly', 'OptionList', 'Available', {
    valuesList: 'Available,Occupied,Reserved,Unavailable,Faulted',
    summary: true,
  });
  add(station, 'Available', 'ReadOnly', 'boolean', 'true', { summary: true });
  add(station, 'Model', 'ReadOnly', 'string', shape.model);
  add(station, 'VendorName', 'ReadOnly', 'string', shape.vendor);
  add(station, 'SupplyPhases', 'ReadOnly', 'integer', '3');
  add(station, 'Problem', 'ReadOnly', 'boolean', 'false', { summary: true });
  for (let evse = 1; evse <= shape.connectors; evse++) {
    const e = { name: 'EVSE', evse: { id: evse } };
    add(e, 'AvailabilityState', 'ReadOnly', 'OptionList', 'Available', {
      valuesList: 'Available,Occupied,Reserved,Unavailable,Faulted',
      summary: true,
    });
    add(e, 'Available', 'ReadOnly', 'boolean', 'true', { summary: true });
    add(e, 'Power', 'ReadOnly', 'decimal', '0', { unit: 'W', maxLimit: shape.maxPowerW });
    add(e, 'SupplyPhases', 'ReadOnly', 'integer', '3');
    const c = { name: 'Connector', evse: { id: evse, connectorId: 1 } };
    add(c, 'AvailabilityState', 'ReadOnly', 'OptionList', 'Available', {
      valuesList: 'Available,Occupied,Reserved,Unavailable,Faulted',
      summary: true,
    });
    add(c, 'ConnectorType', 'ReadOnly', 'string', 'cType2');
  }
  const comm = { name: 'OCPPCommCtrlr' };
  add(comm, 'HeartbeatInterval', 'ReadWrite', 'integer', '300', { unit: 's', minLimit: 1 });
  add(comm, 'MessageAttempts', 'ReadWrite', 'integer', '3', {
    instance: 'TransactionEvent',
    minLimit: 1,
  });
  add(comm, 'MessageAttemptInterval', 'ReadWrite', 'integer', '5', {
    instance: 'TransactionEvent',
    unit: 's',
  });
  add(comm, 'MessageTimeout', 'ReadOnly', 'integer', '30', { instance: 'Default', unit: 's' });
  add(comm, 'NetworkConfigurationPriority', 'ReadWrite', 'SequenceList', '0');
  add(comm, 'NetworkProfileConnectionAttempts', 'ReadWrite', 'integer', '3');
  add(comm, 'OfflineThreshold', 'ReadWrite', 'integer', '60', { unit: 's' });
  add(comm, 'ResetRetries', 'ReadWrite', 'integer', '1');
  add(comm, 'FileTransferProtocols', 'ReadOnly', 'MemberList', 'HTTP,HTTPS', {
    valuesList: 'FTP,FTPS,HTTP,HTTPS,SFTP',
  });
  add(comm, 'WebSocketPingInterval', 'ReadWrite', 'integer', '0', {
    unit: 's',
    rebootRequired: true,
  });
  add(comm, 'QueueAllMessages', 'ReadWrite', 'boolean', 'false');
  const security = { name: 'SecurityCtrlr' };
  add(security, 'SecurityProfile', 'ReadOnly', 'integer', String(shape.securityProfile));
  add(security, 'OrganizationName', 'ReadWrite', 'string', 'OCPP SDK');
  add(security, 'CertificateEntries', 'ReadOnly', 'integer', '0');
  add(security, 'Identity', 'ReadOnly', 'string', '');
  add(security, 'BasicAuthPassword', 'WriteOnly', 'string', '', { rebootRequired: true });
  const tx = { name: 'TxCtrlr' };
  add(tx, 'EVConnectionTimeOut', 'ReadWrite', 'integer', '60', { unit: 's' });
  add(tx, 'StopTxOnEVSideDisconnect', 'ReadOnly', 'boolean', 'true');
  add(tx, 'StopTxOnInvalidId', 'ReadWrite', 'boolean', 'true');
  add(tx, 'TxStartPoint', 'ReadWrite', 'MemberList', 'PowerPathClosed', {
    valuesList:
      'ParkingBayOccupancy,EVConnected,Authorized,DataSigned,PowerPathClosed,EnergyTransfer',
  });
  add(tx, 'TxStopPoint', 'ReadWrite', 'MemberList', 'EVConnected,Authorized', {
    valuesList:
      'ParkingBayOccupancy,EVConnected,Authorized,DataSigned,PowerPathClosed,EnergyTransfer',
  });
  const sampled = { name: 'SampledDataCtrlr' };
  add(sampled, 'TxUpdatedInterval', 'ReadWrite', 'integer', '60', { unit: 's' });
  add(sampled, 'TxUpdatedMeasurands', 'ReadWrite', 'MemberList', MEASURANDS);
  add(sampled, 'TxEndedMeasurands', 'ReadWrite', 'MemberList', 'Energy.Active.Import.Register');
  add(sampled, 'TxEndedInterval', 'ReadWrite', 'integer', '0', { unit: 's' });
  add(sampled, 'TxStartedMeasurands', 'ReadWrite', 'MemberList', 'Energy.Active.Import.Register');
  const auth = { name: 'AuthCtrlr' };
  add(auth, 'AuthorizeRemoteStart', 'ReadWrite', 'boolean', 'false');
  add(auth, 'LocalAuthorizeOffline', 'ReadWrite', 'boolean', 'false');
  add(auth, 'LocalPreAuthorize', 'ReadWrite', 'boolean', 'false');
  const data = { name: 'DeviceDataCtrlr' };
  add(data, 'ItemsPerMessage', 'ReadOnly', 'integer', String(REPORT_ITEMS_PER_MESSAGE), {
    instance: 'GetReport',
  });
  add(data, 'ItemsPerMessage', 'ReadOnly', 'integer', String(ITEMS_PER_MESSAGE), {
    instance: 'GetVariables',
  });
  add(data, 'ItemsPerMessage', 'ReadOnly', 'integer', String(ITEMS_PER_MESSAGE), {
    instance: 'SetVariables',
  });
  add(data, 'BytesPerMessage', 'ReadOnly', 'integer', '65000', { instance: 'GetReport' });
  add({ name: 'ClockCtrlr' }, 'DateTime', 'ReadOnly', 'dateTime', '');
  add({ name: 'ClockCtrlr' }, 'TimeSource', 'ReadWrite', 'SequenceList', 'Heartbeat');
  add({ name: 'ReservationCtrlr' }, 'Enabled', 'ReadWrite', 'boolean', 'true');
  add({ name: 'SmartChargingCtrlr' }, 'Enabled', 'ReadWrite', 'boolean', 'true');
  add({ name: 'SmartChargingCtrlr' }, 'ProfileStackLevel', 'ReadOnly', 'integer', '8');
  add({ name: 'SmartChargingCtrlr' }, 'RateUnit', 'ReadOnly', 'MemberList', 'A,W');
  add({ name: 'LocalAuthListCtrlr' }, 'Enabled', 'ReadWrite', 'boolean', 'true');
  add({ name: 'AuthCacheCtrlr' }, 'Enabled', 'ReadWrite', 'boolean', 'false');
  add({ name: 'DisplayMessageCtrlr' }, 'Enabled', 'ReadWrite', 'boolean', 'true');
  add({ name: 'DisplayMessageCtrlr' }, 'DisplayMessages', 'ReadOnly', 'integer', '16');
  add({ name: 'MonitoringCtrlr' }, 'Enabled', 'ReadWrite', 'boolean', 'true');
  return out;
}

/** The definition of one shape: its variables and their index, built once. */
export interface ModelDefinition {
  readonly variables: readonly DeviceVariable[];
  readonly index: ReadonlyMap<string, number>;
  /** Component keys (name, instance, EVSE, connector) that exist. */
  readonly components: ReadonlySet<string>;
}

const definitions = new Map<string, ModelDefinition>();

/** The shared definition of a shape. */
export function definitionOf(shape: ModelShape): ModelDefinition {
  const key = JSON.stringify(shape);
  let d = definitions.get(key);
  if (d === undefined) {
    const vars = variables(shape);
    d = {
      variables: vars,
      index: new Map(vars.map((v, i) => [variableKey(v.component, v.variable), i])),
      components: new Set(vars.map((v) => componentKey(v.component))),
    };
    definitions.set(key, d);
  }
  return d;
}

function componentKey(c: ComponentRef): string {
  return `${c.name}|${c.instance ?? ''}|${c.evse?.id ?? ''}|${c.evse?.connectorId ?? ''}`;
}

function variableKey(c: ComponentRef, v: VariableRef): string {
  return `${componentKey(c)}|${v.name}|${v.instance ?? ''}`;
}

/** What the model reads of its station: its 1.6 configuration and live values. */
export interface ModelHost {
  read16(key: string): string | undefined;
  /** Writes a 1.6 key; false when the station refuses the value. */
  write16(key: string, value: string): boolean;
  /** A live value the station knows better than the model (availability, power, clock). */
  live?(v: DeviceVariable): string | undefined;
}

type GetResult = Response21<'GetVariables'>['getVariableResult'][number];
type SetResult = Response21<'SetVariables'>['setVariableResult'][number];
type GetData = Request21<'GetVariables'>['getVariableData'][number];
type SetData = Request21<'SetVariables'>['setVariableData'][number];

/** The device model of one station. */
export class DeviceModel {
  /** Values written, by variable index (made on the first write). */
  private written: Map<number, string> | undefined;

  constructor(
    private readonly definition: ModelDefinition,
    private readonly host: ModelHost,
  ) {}

  /** The index of a variable, or why there is none. */
  lookup(c: ComponentRef, v: VariableRef): number | 'UnknownComponent' | 'UnknownVariable' {
    return this.find(c, v);
  }

  /** The value of a variable of a component without instance or EVSE, if the model has it. */
  valueByName(component: string, variable: string): string | undefined {
    const i = this.definition.index.get(variableKey({ name: component }, { name: variable }));
    return i === undefined ? undefined : this.valueOf(i);
  }

  /** True when monitors may watch the variable (a number). */
  monitorable(i: number): boolean {
    const t = this.definition.variables[i]?.dataType;
    return t === 'integer' || t === 'decimal';
  }

  private find(c: ComponentRef, v: VariableRef): number | 'UnknownComponent' | 'UnknownVariable' {
    const i = this.definition.index.get(variableKey(c, v));
    if (i !== undefined) return i;
    return this.definition.components.has(componentKey(c)) ? 'UnknownVariable' : 'UnknownComponent';
  }

  /** The value of a variable now. */
  valueOf(i: number): string {
    const v = this.definition.variables[i]!;
    if (v.key16 !== undefined) return this.host.read16(v.key16) ?? v.value;
    return this.written?.get(i) ?? this.host.live?.(v) ?? v.value;
  }

  getVariables(request: Request21<'GetVariables'>): Response21<'GetVariables'> {
    return { getVariableResult: request.getVariableData.map((d) => this.get(d)) };
  }

  /**
   * What a GetVariables or SetVariables entry names: the answer's echo of it, and the variable's
   * index, or the status of an entry that names none (unknown, or an attribute other than Actual).
   */
  private entry(d: GetData | SetData): {
    base: Pick<GetResult, 'component' | 'variable' | 'attributeType'>;
    i: number | 'UnknownComponent' | 'UnknownVariable' | 'NotSupportedAttributeType';
  } {
    const base = {
      component: d.component,
      variable: d.variable,
      ...(d.attributeType === undefined ? {} : { attributeType: d.attributeType }),
    };
    if (d.attributeType !== undefined && d.attributeType !== 'Actual') {
      const found = this.find(d.component, d.variable);
      return { base, i: typeof found === 'string' ? found : 'NotSupportedAttributeType' };
    }
    return { base, i: this.find(d.component, d.variable) };
  }

  private get(d: GetData): GetResult {
    const { base, i } = this.entry(d);
    if (typeof i === 'string') return { ...base, attributeStatus: i };
    if (this.definition.variables[i]!.mutability === 'WriteOnly')
      return {
        ...base,
        attributeStatus: 'Rejected',
        attributeStatusInfo: { reasonCode: 'WriteOnly' },
      };
    return { ...base, attributeStatus: 'Accepted', attributeValue: this.valueOf(i) };
  }

  setVariables(request: Request21<'SetVariables'>): Response21<'SetVariables'> {
    return { setVariableResult: request.setVariableData.map((d) => this.set(d)) };
  }

  private set(d: SetData): SetResult {
    const { base, i } = this.entry(d);
    if (typeof i === 'string') return { ...base, attributeStatus: i };
    const v = this.definition.variables[i]!;
    if (v.mutability === 'ReadOnly')
      return {
        ...base,
        attributeStatus: 'Rejected',
        attributeStatusInfo: { reasonCode: 'ReadOnly' },
      };
    const invalid = invalidValue(v, d.attributeValue);
    if (invalid !== undefined)
      return {
        ...base,
        attributeStatus: 'Rejected',
        attributeStatusInfo: { reasonCode: 'InvalidValue', additionalInfo: invalid },
      };
    if (v.key16 !== undefined) {
      if (!this.host.write16(v.key16, d.attributeValue))
        return {
          ...base,
          attributeStatus: 'Rejected',
          attributeStatusInfo: { reasonCode: 'InvalidValue' },
        };
    } else {
      this.written ??= new Map();
      this.written.set(i, d.attributeValue);
    }
    return { ...base, attributeStatus: v.rebootRequired === true ? 'RebootRequired' : 'Accepted' };
  }

  /** The variables of a base report, in model order (empty: `EmptyResultSet`). */
  baseReport(base: Request21<'GetBaseReport'>['reportBase']): ReportData[] {
    const out: ReportData[] = [];
    this.definition.variables.forEach((v, i) => {
      if (
        base === 'FullInventory' ||
        (base === 'ConfigurationInventory' && v.mutability !== 'ReadOnly') ||
        (base === 'SummaryInventory' && v.summary === true)
      )
        out.push(this.reportData(i));
    });
    return out;
  }

  /**
   * The variables a GetReport selects: those of the components (and variables, when named) it
   * lists, and with `componentCriteria`, only components that are so (their `Available`,
   * `Enabled`, `Problem` variable true; `Active`: any component with `Available` true).
   */
  report(request: Request21<'GetReport'>): ReportData[] {
    const wanted = request.componentVariable;
    const criteria = request.componentCriteria;
    const vars = this.definition.variables;
    const ok = (c: ComponentRef) =>
      criteria === undefined ||
      criteria.some((k) => {
        const name = k === 'Active' ? 'Available' : k;
        const i = this.definition.index.get(variableKey(c, { name }));
        return i !== undefined && this.valueOf(i) === 'true';
      });
    const out: ReportData[] = [];
    vars.forEach((v, i) => {
      if (!ok(v.component)) return;
      if (wanted !== undefined) {
        const hit = wanted.some(
          (w) =>
            w.component.name === v.component.name &&
            (w.component.instance === undefined || w.component.instance === v.component.instance) &&
            (w.component.evse === undefined ||
              (w.component.evse.id === v.component.evse?.id &&
                (w.component.evse.connectorId === undefined ||
                  w.component.evse.connectorId === v.component.evse?.connectorId))) &&
            (w.variable === undefined ||
              (w.variable.name === v.variable.name &&
                (w.variable.instance === undefined ||
                  w.variable.instance === v.variable.instance))),
        );
        if (!hit) return;
      }
      out.push(this.reportData(i));
    });
    return out;
  }

  private reportData(i: number): ReportData {
    const v = this.definition.variables[i]!;
    return {
      component: v.component,
      variable: v.variable,
      variableAttribute: [
        {
          type: 'Actual',
          ...(v.mutability === 'WriteOnly' ? {} : { value: this.valueOf(i) }),
          mutability: v.mutability,
          persistent: true,
          constant: v.mutability === 'ReadOnly',
        },
      ],
      variableCharacteristics: {
        dataType: v.dataType,
        supportsMonitoring: v.dataType === 'decimal' || v.dataType === 'integer',
        ...(v.unit === undefined ? {} : { unit: v.unit }),
        ...(v.valuesList === undefined ? {} : { valuesList: v.valuesList }),
        ...(v.minLimit === undefined ? {} : { minLimit: v.minLimit }),
        ...(v.maxLimit === undefined ? {} : { maxLimit: v.maxLimit }),
      },
    };
  }
}

/** Why `value` is not a value of `v`, or undefined when it is. */
function invalidValue(v: DeviceVariable, value: string): string | undefined {
  switch (v.dataType) {
    case 'integer':
    case 'decimal': {
      const n = Number(value);
      if (
        value.trim() === '' ||
        !Number.isFinite(n) ||
        (v.dataType === 'integer' && !Number.isInteger(n))
      )
        return `not ${v.dataType === 'integer' ? 'an integer' : 'a number'}`;
      if (v.minLimit !== undefined && n < v.minLimit) return `below ${v.minLimit}`;
      if (v.maxLimit !== undefined && n > v.maxLimit) return `above ${v.maxLimit}`;
      return undefined;
    }
    case 'boolean':
      return value === 'true' || value === 'false' ? undefined : 'not true or false';
    case 'OptionList':
      return v.valuesList === undefined || v.valuesList.split(',').includes(value)
        ? undefined
        : `not one of ${v.valuesList}`;
    case 'MemberList': {
      if (v.valuesList === undefined) return undefined;
      const allowed = v.valuesList.split(',');
      return value.split(',').every((m) => allowed.includes(m))
        ? undefined
        : `not members of ${v.valuesList}`;
    }
    default:
      return undefined;
  }
}
