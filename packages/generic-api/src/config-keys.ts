/** A 2.x component/variable pair that a neutral configuration key names. */
export interface VariableRef {
  /** Component name (`OCPPCommCtrlr`). */
  readonly component: string;
  /** Component instance. */
  readonly componentInstance?: string;
  /** Variable name (`HeartbeatInterval`). */
  readonly variable: string;
  /** Variable instance (`TransactionEvent` for `MessageAttempts`). */
  readonly variableInstance?: string;
}

/**
 * The standard OCPP 1.6 configuration keys that have a 2.x variable, written as neutral 2.x keys
 * (`Component.Variable`, instances in brackets). Values pass unchanged in both directions; keys
 * missing here (BlinkRepeat, LightIntensity, NumberOfConnectors, SupportedFeatureProfiles,
 * MinimumStatusDuration, the *MaxLength keys, ...) have no 2.x variable.
 */
export const CONFIGURATION_KEY_MAP: Readonly<Record<string, string>> = {
  AllowOfflineTxForUnknownId: 'AuthCtrlr.OfflineTxForUnknownIdEnabled',
  AuthorizationCacheEnabled: 'AuthCacheCtrlr.Enabled',
  AuthorizeRemoteTxRequests: 'AuthCtrlr.AuthorizeRemoteStart',
  ClockAlignedDataInterval: 'AlignedDataCtrlr.Interval',
  ConnectionTimeOut: 'TxCtrlr.EVConnectionTimeOut',
  GetConfigurationMaxKeys: 'DeviceDataCtrlr.ItemsPerMessage[GetVariables]',
  HeartbeatInterval: 'OCPPCommCtrlr.HeartbeatInterval',
  LocalAuthorizeOffline: 'AuthCtrlr.LocalAuthorizeOffline',
  LocalPreAuthorize: 'AuthCtrlr.LocalPreAuthorize',
  MaxEnergyOnInvalidId: 'TxCtrlr.MaxEnergyOnInvalidId',
  MeterValuesAlignedData: 'AlignedDataCtrlr.Measurands',
  MeterValuesSampledData: 'SampledDataCtrlr.TxUpdatedMeasurands',
  MeterValueSampleInterval: 'SampledDataCtrlr.TxUpdatedInterval',
  ResetRetries: 'OCPPCommCtrlr.ResetRetries',
  StopTransactionOnEVSideDisconnect: 'TxCtrlr.StopTxOnEVSideDisconnect',
  StopTransactionOnInvalidId: 'TxCtrlr.StopTxOnInvalidId',
  StopTxnAlignedData: 'AlignedDataCtrlr.TxEndedMeasurands',
  StopTxnSampledData: 'SampledDataCtrlr.TxEndedMeasurands',
  TransactionMessageAttempts: 'OCPPCommCtrlr.MessageAttempts[TransactionEvent]',
  TransactionMessageRetryInterval: 'OCPPCommCtrlr.MessageAttemptInterval[TransactionEvent]',
  WebSocketPingInterval: 'OCPPCommCtrlr.WebSocketPingInterval',
  LocalAuthListEnabled: 'LocalAuthListCtrlr.Enabled',
  SendLocalListMaxLength: 'LocalAuthListCtrlr.ItemsPerMessage',
  ReserveConnectorZeroSupported: 'ReservationCtrlr.NonEvseSpecific',
  ChargeProfileMaxStackLevel: 'SmartChargingCtrlr.ProfileStackLevel',
  ChargingScheduleAllowedChargingRateUnit: 'SmartChargingCtrlr.RateUnit',
  ChargingScheduleMaxPeriods: 'SmartChargingCtrlr.PeriodsPerSchedule',
  ConnectorSwitch3to1PhaseSupported: 'SmartChargingCtrlr.Phases3to1',
  AuthorizationKey: 'SecurityCtrlr.BasicAuthPassword',
  CpoName: 'SecurityCtrlr.OrganizationName',
  SecurityProfile: 'SecurityCtrlr.SecurityProfile',
  CertificateSignedMaxChainSize: 'SecurityCtrlr.MaxCertificateChainSize',
  CertificateStoreMaxLength: 'SecurityCtrlr.CertificateEntries',
  AdditionalRootCertificateCheck: 'SecurityCtrlr.AdditionalRootCertificateCheck',
};

const reverseMap: ReadonlyMap<string, string> = new Map(
  Object.entries(CONFIGURATION_KEY_MAP).map(([key16, key2]) => [key2, key16]),
);

const PART = /^([^.[\]]+)(?:\[([^\]]*)\])?$/;

/** Parses a neutral 2.x key (`Component[instance].Variable[instance]`); `undefined` when it is not one. */
export function parseVariableKey(key: string): VariableRef | undefined {
  const dot = key.search(/\.(?=[^\]]*(?:\[|$))/);
  if (dot <= 0) return undefined;
  const c = PART.exec(key.slice(0, dot));
  const v = PART.exec(key.slice(dot + 1));
  if (c === null || v === null) return undefined;
  return {
    component: c[1]!,
    ...(c[2] === undefined ? {} : { componentInstance: c[2] }),
    variable: v[1]!,
    ...(v[2] === undefined ? {} : { variableInstance: v[2] }),
  };
}

/** Writes a component/variable pair as a neutral 2.x key. */
export function formatVariableKey(ref: VariableRef): string {
  const c =
    ref.componentInstance === undefined
      ? ref.component
      : `${ref.component}[${ref.componentInstance}]`;
  const v =
    ref.variableInstance === undefined ? ref.variable : `${ref.variable}[${ref.variableInstance}]`;
  return `${c}.${v}`;
}

/** The 2.x variable a neutral key names: a mapped 1.6 key, or a `Component.Variable` key; `undefined` for neither. */
export function toVariable(key: string): VariableRef | undefined {
  const mapped = Object.hasOwn(CONFIGURATION_KEY_MAP, key) ? CONFIGURATION_KEY_MAP[key] : undefined;
  return parseVariableKey(mapped ?? key);
}

/** The neutral key of a 2.x variable: its 1.6 name when it is a mapped standard key, else `Component.Variable`. */
export function fromVariable(ref: VariableRef): string {
  const key = formatVariableKey(ref);
  return reverseMap.get(key) ?? key;
}

/** The 1.6 key a neutral key names: a mapped `Component.Variable` key becomes its 1.6 name; any other key is sent as it is. */
export function toKey16(key: string): string {
  return reverseMap.get(key) ?? key;
}
