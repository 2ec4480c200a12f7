/**
 * The version-neutral model: one shape per operation, close to OCPP 2.x where 2.x is the richer
 * version, with the 1.6 details that have no 2.x home kept as optional fields. docs/generic-api.md
 * lists, per operation and version, what each field becomes on the wire and what is lost.
 */

import { OCPP_SUBPROTOCOLS, type OcppSubprotocol } from '@ocpp/runtime';

/** The OCPP versions the generic API speaks, spelled as their WebSocket subprotocols. */
export type ProtocolVersion = OcppSubprotocol;

/** Every version the generic API speaks, newest first (the order a CSMS prefers them). */
export const PROTOCOL_VERSIONS: readonly ProtocolVersion[] = OCPP_SUBPROTOCOLS;

// ---------------------------------------------------------------------------------------------
// Shared datatypes
// ---------------------------------------------------------------------------------------------

/**
 * How an identifier was presented (2.x `IdTokenEnumType`; 2.1 accepts any string). 1.6 has no
 * type: an `idTag` is lifted as `ISO14443` (station-presented) or `Central` (CSMS-presented).
 */
export type IdTokenType = KnownIdTokenType | (string & {});

/** The token types 2.0.1 defines (2.1 keeps them and allows others). */
export type KnownIdTokenType =
  | 'Central'
  | 'eMAID'
  | 'ISO14443'
  | 'ISO15693'
  | 'KeyCode'
  | 'Local'
  | 'MacAddress'
  | 'NoAuthorization';

/** An identifier of a user or payment means (1.6 `idTag`, 2.x `IdTokenType`). */
export interface IdToken {
  /** The identifier itself (1.6: at most 20 characters). */
  readonly idToken: string;
  /** How it was presented. */
  readonly type: IdTokenType;
}

/** The outcome of an authorisation (2.x `AuthorizationStatusEnumType`, a superset of 1.6's). */
export type AuthorizationStatus =
  | 'Accepted'
  | 'Blocked'
  | 'ConcurrentTx'
  | 'Expired'
  | 'Invalid'
  | 'NoCredit'
  | 'NotAllowedTypeEVSE'
  | 'NotAtThisLocation'
  | 'NotAtThisTime'
  | 'Unknown';

/** What the CSMS says about an identifier (1.6 `IdTagInfo`, 2.x `IdTokenInfoType`). */
export interface IdTokenInfo {
  /** Whether the identifier may charge. */
  readonly status: AuthorizationStatus;
  /** Until when the answer may be cached (1.6 `expiryDate`, 2.x `cacheExpiryDateTime`). */
  readonly cacheExpiryDateTime?: string;
  /** The group the identifier belongs to (1.6 `parentIdTag`, 2.x `groupIdToken`). */
  readonly groupIdToken?: IdToken;
}

/** Why a 2.x answer is what it is (2.x `StatusInfoType`; 1.6 has none). */
export interface StatusInfo {
  /** A predefined code for the reason, at most 20 characters. */
  readonly reasonCode: string;
  /** Free text detail. */
  readonly additionalInfo?: string;
}

// ---------------------------------------------------------------------------------------------
// Boot, heartbeat, authorize
// ---------------------------------------------------------------------------------------------

/** Why the station (re)booted (2.x `BootReasonEnumType`; 1.6 has no reason). */
export type BootReason =
  | 'ApplicationReset'
  | 'FirmwareUpdate'
  | 'LocalReset'
  | 'PowerUp'
  | 'RemoteReset'
  | 'ScheduledReset'
  | 'Triggered'
  | 'Unknown'
  | 'Watchdog';

/** A BootNotification: the station introduces itself. */
export interface BootParams {
  /** Why it booted; 1.6 does not carry it (lifted as absent, stamped to 2.x as `PowerUp`). */
  readonly reason?: BootReason;
  /** Vendor name (1.6 `chargePointVendor`). */
  readonly vendorName: string;
  /** Model (1.6 `chargePointModel`). */
  readonly model: string;
  /** Serial number of the station (1.6 `chargePointSerialNumber`). */
  readonly serialNumber?: string;
  /** Firmware version. */
  readonly firmwareVersion?: string;
  /** SIM card ICCID of the modem. */
  readonly iccid?: string;
  /** SIM card IMSI of the modem. */
  readonly imsi?: string;
  /** 1.6 only: `chargeBoxSerialNumber` (deprecated in 1.6). Lost on 2.x. */
  readonly chargeBoxSerialNumber?: string;
  /** 1.6 only: the main meter's type. Lost on 2.x. */
  readonly meterType?: string;
  /** 1.6 only: the main meter's serial number. Lost on 2.x. */
  readonly meterSerialNumber?: string;
}

/** Whether the CSMS registers the station. */
export type RegistrationStatus = 'Accepted' | 'Pending' | 'Rejected';

/** The answer to a BootNotification. */
export interface BootResult {
  /** Registration outcome. */
  readonly status: RegistrationStatus;
  /** Heartbeat interval in seconds (or the retry interval when not accepted). */
  readonly interval: number;
  /** The CSMS clock, RFC 3339. */
  readonly currentTime: string;
  /** 2.x only: why (lost on 1.6). */
  readonly statusInfo?: StatusInfo;
}

/** What a CSMS's boot handler returns: a {@link BootResult} whose `currentTime` defaults to now. */
export type BootAnswer = Omit<BootResult, 'currentTime'> & { readonly currentTime?: string };

/** The answer to a Heartbeat. */
export interface HeartbeatResult {
  /** The CSMS clock, RFC 3339. */
  readonly currentTime: string;
}

/** An Authorize request. */
export interface AuthorizeParams {
  /** The identifier to check. */
  readonly idToken: IdToken;
  /** 2.x (C07, ISO 15118): the EV's contract certificate chain, PEM. 1.6: refused. */
  readonly certificate?: string;
  /** 2.x (C07): the OCSP data of the contract certificate's chain. 1.6: refused. */
  readonly iso15118CertificateHashData?: readonly OcspRequestData[];
}

/** The OCSP request data of one certificate (2.x `OCSPRequestDataType`). */
export interface OcspRequestData {
  readonly hashAlgorithm: 'SHA256' | 'SHA384' | 'SHA512';
  readonly issuerNameHash: string;
  readonly issuerKeyHash: string;
  readonly serialNumber: string;
  readonly responderURL: string;
}

/** The answer to an Authorize request. */
export interface AuthorizeResult {
  /** The CSMS verdict. */
  readonly idTokenInfo: IdTokenInfo;
  /** 2.x (C07): the contract certificate's status. Lost for 1.6. */
  readonly certificateStatus?:
    | 'Accepted'
    | 'SignatureError'
    | 'CertificateExpired'
    | 'CertificateRevoked'
    | 'NoCertificateAvailable'
    | 'CertChainError'
    | 'ContractCancelled';
}

/** A message for the driver (2.x `MessageContentType`). */
export interface MessageContent {
  readonly format: 'ASCII' | 'HTML' | 'URI' | 'UTF8' | 'QRCODE';
  readonly content: string;
  readonly language?: string;
}

/** The cost and driver-facing fields of a 2.x TransactionEvent answer (I, cost). Lost for 1.6. */
export interface TransactionCost {
  /** The running cost, in the tariff's currency (2.x `totalCost`). */
  readonly totalCost?: number;
  /** The transaction's charging priority, -9 to 9 (2.x `chargingPriority`). */
  readonly chargingPriority?: number;
  /** A message for the driver (2.x `updatedPersonalMessage`). */
  readonly updatedPersonalMessage?: MessageContent;
}

// ---------------------------------------------------------------------------------------------
// Connector status
// ---------------------------------------------------------------------------------------------

/** 2.x connector status, the neutral one (1.6 statuses fold into it: Preparing … Finishing → Occupied). */
export type ConnectorStatus = 'Available' | 'Occupied' | 'Reserved' | 'Unavailable' | 'Faulted';

/** The finer 1.6 connector status (`ChargePointStatus`). */
export type ChargePointStatus16 =
  | 'Available'
  | 'Preparing'
  | 'Charging'
  | 'SuspendedEVSE'
  | 'SuspendedEV'
  | 'Finishing'
  | 'Reserved'
  | 'Unavailable'
  | 'Faulted';

/** The 1.6 connector error codes (`ChargePointErrorCode`); 2.x reports errors through NotifyEvent instead. */
export type ChargePointErrorCode16 =
  | 'ConnectorLockFailure'
  | 'EVCommunicationError'
  | 'GroundFailure'
  | 'HighTemperature'
  | 'InternalError'
  | 'LocalListConflict'
  | 'NoError'
  | 'OtherError'
  | 'OverCurrentFailure'
  | 'PowerMeterFailure'
  | 'PowerSwitchFailure'
  | 'ReaderFailure'
  | 'ResetFailure'
  | 'UnderVoltage'
  | 'OverVoltage'
  | 'WeakSignal';

/**
 * A StatusNotification. 1.6 connector `n` is EVSE `n`, connector 1 in 2.x terms; 1.6 connector 0
 * (the whole station) is EVSE 0, connector 0 and has no 2.x equivalent.
 */
export interface StatusParams {
  /** The EVSE (1.6: the connector id); 0 = the whole station, 1.6 only. */
  readonly evseId: number;
  /** The connector within the EVSE; 1.6 knows one connector per EVSE (its number is 1, or 0 for EVSE 0). */
  readonly connectorId: number;
  /** The 2.x status. */
  readonly status: ConnectorStatus;
  /** When the status changed. @default now, when stamped */
  readonly timestamp?: string;
  /** 1.6 only: the finer status (Preparing, Charging, ...). Lost on 2.x. */
  readonly chargePointStatus?: ChargePointStatus16;
  /** 1.6 only: the error code. Lost on 2.x. @default `OtherError` for Faulted, else `NoError` */
  readonly errorCode?: ChargePointErrorCode16;
  /** 1.6 only: free text about the error. Lost on 2.x. */
  readonly info?: string;
  /** 1.6 only: vendor of the vendor error code. Lost on 2.x. */
  readonly vendorId?: string;
  /** 1.6 only: vendor-specific error code. Lost on 2.x. */
  readonly vendorErrorCode?: string;
}

// ---------------------------------------------------------------------------------------------
// Meter values
// ---------------------------------------------------------------------------------------------

/** What a sample measures: the named 1.6 and 2.0.1 measurands, or another (2.1 adds many). */
export type Measurand = KnownMeasurand | (string & {});

/** The measurands of 1.6 and 2.0.1 (each version accepts its own). */
export type KnownMeasurand =
  | 'Current.Export'
  | 'Current.Import'
  | 'Current.Offered'
  | 'Energy.Active.Export.Register'
  | 'Energy.Active.Import.Register'
  | 'Energy.Reactive.Export.Register'
  | 'Energy.Reactive.Import.Register'
  | 'Energy.Active.Export.Interval'
  | 'Energy.Active.Import.Interval'
  | 'Energy.Reactive.Export.Interval'
  | 'Energy.Reactive.Import.Interval'
  | 'Energy.Active.Net'
  | 'Energy.Reactive.Net'
  | 'Energy.Apparent.Net'
  | 'Energy.Apparent.Import'
  | 'Energy.Apparent.Export'
  | 'Frequency'
  | 'Power.Active.Export'
  | 'Power.Active.Import'
  | 'Power.Factor'
  | 'Power.Offered'
  | 'Power.Reactive.Export'
  | 'Power.Reactive.Import'
  | 'SoC'
  | 'Voltage'
  | 'Temperature'
  | 'RPM';

/** Which phase a sample is about (identical in every version). */
export type Phase =
  | 'L1'
  | 'L2'
  | 'L3'
  | 'N'
  | 'L1-N'
  | 'L2-N'
  | 'L3-N'
  | 'L1-L2'
  | 'L2-L3'
  | 'L3-L1';

/** Where a sample was measured (2.1 adds `Upstream`). */
export type MeasurementLocation = 'Body' | 'Cable' | 'EV' | 'Inlet' | 'Outlet' | 'Upstream';

/** Why a sample was taken (identical in every version). */
export type ReadingContext =
  | 'Interruption.Begin'
  | 'Interruption.End'
  | 'Other'
  | 'Sample.Clock'
  | 'Sample.Periodic'
  | 'Transaction.Begin'
  | 'Transaction.End'
  | 'Trigger';

/** A signed meter reading (2.x `SignedMeterValueType`; a 1.6 `SignedData` sample). */
export interface SignedMeterValue {
  /** The signed data, as the meter produced it. */
  readonly signedMeterData: string;
  /** Signing method (2.0.1 requires it; empty when lifted from 1.6). */
  readonly signingMethod?: string;
  /** Encoding method (empty when lifted from 1.6). */
  readonly encodingMethod?: string;
  /** Public key (2.0.1 requires it; empty when lifted from 1.6). */
  readonly publicKey?: string;
}

/**
 * One normalised sample. `value` is a number in every version (1.6 sends text); a 1.6 `SignedData`
 * sample has `value: NaN` and its text in `signedMeterValue`.
 */
export interface SampledValue {
  /** The reading, in `unit` × 10^`multiplier`. */
  readonly value: number;
  /** @default 'Energy.Active.Import.Register' (by every version's rules) */
  readonly measurand?: Measurand;
  /** Phase, when the reading is about one. */
  readonly phase?: Phase;
  /** @default 'Outlet' (by every version's rules) */
  readonly location?: MeasurementLocation;
  /** Unit: 1.6 unit names (`Wh`, `kWh`, `Celsius`, `Percent`, ...), 2.x free text. @default 'Wh' */
  readonly unit?: string;
  /** 2.x only: power of ten applied to `value`; folded into the value when stamped to 1.6. @default 0 */
  readonly multiplier?: number;
  /** @default 'Sample.Periodic' (by every version's rules) */
  readonly context?: ReadingContext;
  /** A signed reading. */
  readonly signedMeterValue?: SignedMeterValue;
}

/** Samples taken at one moment. */
export interface MeterValue {
  /** When the samples were taken. */
  readonly timestamp: string;
  /** The samples (at least one). */
  readonly sampledValue: readonly SampledValue[];
}

/** A MeterValues message outside a transaction (in a transaction use the transaction's update). */
export interface MeterValuesParams {
  /** The EVSE (1.6 connector id); 0 = the main meter. */
  readonly evseId: number;
  /** The readings (at least one). */
  readonly meterValue: readonly MeterValue[];
}

// ---------------------------------------------------------------------------------------------
// Transactions
// ---------------------------------------------------------------------------------------------

/** Why a transaction event was sent: a 2.0.1 trigger reason, or another (2.1 adds more). */
export type TriggerReason = KnownTriggerReason | (string & {});

/** The 2.0.1 trigger reasons (`TriggerReasonEnumType`). */
export type KnownTriggerReason =
  | 'Authorized'
  | 'CablePluggedIn'
  | 'ChargingRateChanged'
  | 'ChargingStateChanged'
  | 'Deauthorized'
  | 'EnergyLimitReached'
  | 'EVCommunicationLost'
  | 'EVConnectTimeout'
  | 'MeterValueClock'
  | 'MeterValuePeriodic'
  | 'TimeLimitReached'
  | 'Trigger'
  | 'UnlockCommand'
  | 'StopAuthorized'
  | 'EVDeparted'
  | 'EVDetected'
  | 'RemoteStop'
  | 'RemoteStart'
  | 'AbnormalCondition'
  | 'SignedDataReceived'
  | 'ResetCommand';

/** Why a transaction stopped: a 1.6 or 2.0.1 reason, or another (2.1 adds more). */
export type StopReason = KnownStopReason | (string & {});

/** The union of 1.6 `Reason` and 2.0.1 `ReasonEnumType`. */
export type KnownStopReason =
  | 'DeAuthorized'
  | 'EmergencyStop'
  | 'EnergyLimitReached'
  | 'EVDisconnected'
  | 'GroundFault'
  | 'ImmediateReset'
  | 'Local'
  | 'LocalOutOfCredit'
  | 'MasterPass'
  | 'Other'
  | 'OvercurrentFault'
  | 'PowerLoss'
  | 'PowerQuality'
  | 'Reboot'
  | 'Remote'
  | 'SOCLimitReached'
  | 'StoppedByEV'
  | 'TimeLimitReached'
  | 'Timeout'
  | 'HardReset'
  | 'SoftReset'
  | 'UnlockCommand';

/** 2.x charging state within a transaction (1.6 reports it through connector statuses). */
export type ChargingState = 'Charging' | 'EVConnected' | 'SuspendedEV' | 'SuspendedEVSE' | 'Idle';

/** The kind of transaction event (2.x `TransactionEventEnumType`). */
export type TransactionEventType = 'Started' | 'Updated' | 'Ended';

/**
 * A transaction event as the CSMS receives it, from any version: 1.6 StartTransaction (Started),
 * MeterValues with a transaction id (Updated), StopTransaction (Ended); 2.x TransactionEvent.
 */
export interface TransactionEvent {
  /** Started, Updated or Ended. */
  readonly eventType: TransactionEventType;
  /**
   * The neutral transaction id: the station's string in 2.x; in 1.6 the decimal text of the
   * integer id the CSMS assigned (`"42"`).
   */
  readonly transactionId: string;
  /** When it happened. */
  readonly timestamp: string;
  /** Why the event was sent (1.6 lift: Started `Authorized`, Updated `MeterValuePeriodic`, Ended from the stop reason). */
  readonly triggerReason: TriggerReason;
  /** 2.x sequence number; for 1.6 the generic CSMS counts the transaction's messages from 0. */
  readonly seqNo: number;
  /** The EVSE (1.6 connector id); filled from the transaction's start when the message lacks it. */
  readonly evseId?: number;
  /** The connector within the EVSE (1 for 1.6). */
  readonly connectorId?: number;
  /** The identifier that started, or stopped, the transaction. */
  readonly idToken?: IdToken;
  /** Energy register at the start in Wh (1.6 `meterStart`; 2.x the Transaction.Begin energy sample). */
  readonly meterStart?: number;
  /** Energy register at the end in Wh (1.6 `meterStop`; 2.x the Transaction.End energy sample). */
  readonly meterStop?: number;
  /** Readings sent with the event (1.6 MeterValues / `transactionData`). */
  readonly meterValue?: readonly MeterValue[];
  /** Why it stopped (Ended only). */
  readonly stoppedReason?: StopReason;
  /** 2.x charging state. */
  readonly chargingState?: ChargingState;
  /** The reservation the transaction uses. */
  readonly reservationId?: number;
  /** 2.x: the `remoteStartId` of the RequestStartTransaction that started it. */
  readonly remoteStartId?: number;
  /** 2.x: sent after the fact, the station was offline. */
  readonly offline?: boolean;
}

/** What a CSMS answers to a transaction event. */
export interface TransactionEventResult extends TransactionCost {
  /** Verdict on the event's `idToken`. 1.6 StartTransaction requires one. @default Accepted, for 1.6 StartTransaction */
  readonly idTokenInfo?: IdTokenInfo;
  /**
   * 1.6 StartTransaction only: the integer transaction id to assign, instead of the CSMS's allocator.
   * Ignored for other events and versions.
   */
  readonly transactionId?: number;
}

/** A station starting a transaction. */
export interface StartTransactionParams {
  /**
   * The neutral id. 2.x: sent as the station's id. 1.6: kept locally and mapped to the integer the
   * CSMS assigns. @default 2.x: a random UUID; 1.6: the CSMS's integer as text
   */
  readonly transactionId?: string;
  /** The EVSE (1.6 connector id). */
  readonly evseId: number;
  /** The connector within the EVSE. @default 1 */
  readonly connectorId?: number;
  /**
   * Who started it. Optional for 2.x (a transaction started without authorization, as on a
   * free charger); 1.6 has no such transaction: there, a start without one is refused with
   * `UNSUPPORTED_BY_VERSION`.
   */
  readonly idToken?: IdToken;
  /** Energy register at the start, Wh (2.x: sent as a Transaction.Begin sample). */
  readonly meterStart: number;
  /** @default now */
  readonly timestamp?: string;
  /** 2.x only. @default 'Authorized' */
  readonly triggerReason?: TriggerReason;
  /** The reservation being used. */
  readonly reservationId?: number;
  /** 2.x only: the `remoteStartId` when started remotely. Lost on 1.6. */
  readonly remoteStartId?: number;
  /** 2.x only. Lost on 1.6. */
  readonly chargingState?: ChargingState;
  /**
   * 2.x: the event happened while the station was offline (`offline: true` on the wire).
   * @default true when the station is not connected at the time of the call
   */
  readonly offline?: boolean;
}

/** The CSMS's answer to a started transaction. */
export interface StartTransactionResult {
  /** The neutral id to use for the rest of the transaction. */
  readonly transactionId: string;
  /** The CSMS verdict on the idToken (always present in 1.6, unless kept). */
  readonly idTokenInfo?: IdTokenInfo;
  /**
   * The CSMS has not answered yet (offline, or no answer in time), but the session's outbox
   * (`session.queue`, see @ocpp/outbox) keeps the message and delivers it later: the operation is
   * handed over, not failed.
   */
  readonly kept?: true;
}

/** A station reporting readings or a state change during a transaction. */
export interface UpdateTransactionParams {
  /** The neutral id from {@link StartTransactionResult}. */
  readonly transactionId: string;
  /** The readings (1.6 sends them as MeterValues with the transaction id; at least one there). */
  readonly meterValue?: readonly MeterValue[];
  /** 2.x only (1.6 readings carry their own). @default the last reading's timestamp, else now */
  readonly timestamp?: string;
  /** 2.x only. @default 'MeterValuePeriodic' */
  readonly triggerReason?: TriggerReason;
  /** 2.x only. Lost on 1.6. */
  readonly chargingState?: ChargingState;
  /** 2.x only: a newly presented identifier. Lost on 1.6. */
  readonly idToken?: IdToken;
  /**
   * 2.x: the event happened while the station was offline (`offline: true` on the wire).
   * @default true when the station is not connected at the time of the call
   */
  readonly offline?: boolean;
}

/** A station ending a transaction. */
export interface StopTransactionParams {
  /** The neutral id from {@link StartTransactionResult}. */
  readonly transactionId: string;
  /** Energy register at the end, Wh (2.x: sent as a Transaction.End sample). */
  readonly meterStop: number;
  /** @default now */
  readonly timestamp?: string;
  /** @default 'Local' */
  readonly stoppedReason?: StopReason;
  /** 2.x only. @default derived from the stop reason (`RemoteStop`, `StopAuthorized`, ...) */
  readonly triggerReason?: TriggerReason;
  /** The identifier that stopped it. */
  readonly idToken?: IdToken;
  /** Readings of the transaction (1.6 `transactionData`). */
  readonly meterValue?: readonly MeterValue[];
  /**
   * 2.x: the event happened while the station was offline (`offline: true` on the wire).
   * @default true when the station is not connected at the time of the call
   */
  readonly offline?: boolean;
}

/** The CSMS's answer to an update or stop. */
export interface TransactionResult extends TransactionCost {
  /** The verdict on the idToken, when one was sent. */
  readonly idTokenInfo?: IdTokenInfo;
  /**
   * The CSMS has not answered yet (offline, or no answer in time), but the session's outbox
   * (`session.queue`, see @ocpp/outbox) keeps the message and delivers it later: the operation is
   * handed over, not failed.
   */
  readonly kept?: true;
}

// ---------------------------------------------------------------------------------------------
// Remote control
// ---------------------------------------------------------------------------------------------

/** Accepted or rejected (remote start/stop, cancel reservation, clear cache, ...). */
export type AcceptedRejected = 'Accepted' | 'Rejected';

/** A CSMS asking the station to start a transaction (1.6 RemoteStartTransaction, 2.x RequestStartTransaction). */
export interface RemoteStartParams {
  /** Who the transaction is for. */
  readonly idToken: IdToken;
  /** The EVSE (1.6 connector id); absent lets the station choose. */
  readonly evseId?: number;
  /** 2.x: echoed in the TransactionEvent. Lost on 1.6. @default a per-station counter, for 2.x */
  readonly remoteStartId?: number;
  /** A TxProfile for the transaction. */
  readonly chargingProfile?: ChargingProfile;
  /** 2.x only: the group of the idToken. Lost on 1.6. */
  readonly groupIdToken?: IdToken;
}

/** The station's answer to a remote start. */
export interface RemoteStartResult {
  /** Whether the station will try. */
  readonly status: AcceptedRejected;
  /** 2.x: the id of a transaction that was already running. */
  readonly transactionId?: string;
  /** 2.x only. */
  readonly statusInfo?: StatusInfo;
}

/** A CSMS asking the station to stop a transaction. */
export interface RemoteStopParams {
  /** The neutral id (for 1.6 the integer's text, as in {@link TransactionEvent}). */
  readonly transactionId: string;
}

/** An answer with only accepted/rejected. */
export interface AcceptedRejectedResult {
  /** The outcome. */
  readonly status: AcceptedRejected;
  /** 2.x only. */
  readonly statusInfo?: StatusInfo;
}

/** Reset kind: 2.x names. 1.6 `Hard` ↔ `Immediate`, `Soft` ↔ `OnIdle`; `ImmediateAndResume` is 2.1 only. */
export type ResetType = 'Immediate' | 'OnIdle' | 'ImmediateAndResume';

/** A reset request. */
export interface ResetParams {
  /** How to reset. */
  readonly type: ResetType;
  /** 2.x only: reset one EVSE (1.6 cannot: `UNSUPPORTED_BY_VERSION`). */
  readonly evseId?: number;
}

/** Accepted, rejected or scheduled for later (reset, change availability). */
export type AcceptedRejectedScheduled = 'Accepted' | 'Rejected' | 'Scheduled';

/** The answer to a reset or availability change. */
export interface ScheduledResult {
  /** The outcome (`Scheduled` is 2.x only for resets; 1.6 has it for availability). */
  readonly status: AcceptedRejectedScheduled;
  /** 2.x only. */
  readonly statusInfo?: StatusInfo;
}

/** Operative or not. */
export type OperationalStatus = 'Operative' | 'Inoperative';

/** A change of availability of the station, an EVSE or a connector. */
export interface ChangeAvailabilityParams {
  /** The new availability. */
  readonly operationalStatus: OperationalStatus;
  /** The EVSE (1.6 connector id); absent or 0 = the whole station. */
  readonly evseId?: number;
  /** 2.x: one connector of the EVSE (1.6 accepts only 1, its single connector). */
  readonly connectorId?: number;
}

/** Unlock a connector. */
export interface UnlockConnectorParams {
  /** The EVSE (1.6 connector id). */
  readonly evseId: number;
  /** The connector of the EVSE. @default 1 */
  readonly connectorId?: number;
}

/** The outcome of an unlock: the union of 1.6 and 2.x values. */
export type UnlockStatus =
  | 'Unlocked'
  | 'UnlockFailed'
  | 'NotSupported'
  | 'OngoingAuthorizedTransaction'
  | 'UnknownConnector';

/** The answer to an unlock. */
export interface UnlockConnectorResult {
  /** The outcome. */
  readonly status: UnlockStatus;
  /** 2.x only. */
  readonly statusInfo?: StatusInfo;
}

/** Messages a CSMS can trigger (2.x names; 1.6 `DiagnosticsStatusNotification` is `LogStatusNotification`). */
export type TriggerableMessage =
  | 'BootNotification'
  | 'Heartbeat'
  | 'StatusNotification'
  | 'MeterValues'
  | 'FirmwareStatusNotification'
  | 'LogStatusNotification'
  | 'TransactionEvent'
  | 'SignChargingStationCertificate'
  | 'SignV2GCertificate'
  | 'SignCombinedCertificate'
  | 'PublishFirmwareStatusNotification';

/** A TriggerMessage request. */
export interface TriggerMessageParams {
  /** What to send. */
  readonly requestedMessage: TriggerableMessage;
  /** The EVSE (1.6 connector id), when the message is about one. */
  readonly evseId?: number;
  /** 2.x: the connector of the EVSE. */
  readonly connectorId?: number;
}

/** The answer to a trigger. */
export interface TriggerMessageResult {
  /** The outcome. */
  readonly status: 'Accepted' | 'Rejected' | 'NotImplemented';
  /** 2.x only. */
  readonly statusInfo?: StatusInfo;
}

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

/**
 * Reads configuration. Keys are 1.6 key names (`HeartbeatInterval`) or 2.x variables written
 * `Component.Variable`, with optional instances: `Component[instance].Variable[instance]`.
 * Standard 1.6 keys map to their 2.x variable and back (see `CONFIGURATION_KEY_MAP`).
 */
export interface GetConfigurationParams {
  /**
   * The keys to read; an empty list is the same as none.
   * @default all (1.6: everything the station has; 2.x: every mapped standard key)
   */
  readonly keys?: readonly string[];
}

/** One configuration value. */
export interface ConfigurationValue {
  /** The key, as it was asked for (or as the station named it in 1.6). */
  readonly key: string;
  /** The value; absent when the station does not disclose it. */
  readonly value?: string;
  /** 1.6 only: read-only key. Unknown (absent) on 2.x. */
  readonly readonly?: boolean;
}

/** The answer to a configuration read. */
export interface GetConfigurationResult {
  /** Values found. */
  readonly values: readonly ConfigurationValue[];
  /** Keys the station does not know (2.x also: keys with no 2.x variable, never sent). */
  readonly unknownKeys: readonly string[];
}

/** Writes one configuration key (1.6 ChangeConfiguration, 2.x SetVariables with one entry). */
export interface SetConfigurationParams {
  /** The key, as in {@link GetConfigurationParams}. */
  readonly key: string;
  /** The new value, as text. */
  readonly value: string;
}

/** The outcome of a configuration write (2.x `UnknownComponent`, `UnknownVariable`, `NotSupportedAttributeType` lift as `NotSupported`). */
export type ConfigurationStatus = 'Accepted' | 'Rejected' | 'RebootRequired' | 'NotSupported';

/** The answer to a configuration write. */
export interface SetConfigurationResult {
  /** The outcome. */
  readonly status: ConfigurationStatus;
  /** 2.x only. */
  readonly statusInfo?: StatusInfo;
}

// ---------------------------------------------------------------------------------------------
// Data transfer, firmware, logs
// ---------------------------------------------------------------------------------------------

/** A vendor-specific message, either direction. */
export interface DataTransferParams {
  /** The vendor. */
  readonly vendorId: string;
  /** The vendor's message id. */
  readonly messageId?: string;
  /** The data: any JSON in 2.x; in 1.6 text (other values are sent as their JSON text). */
  readonly data?: unknown;
}

/** The outcome of a data transfer. */
export type DataTransferStatus = 'Accepted' | 'Rejected' | 'UnknownMessageId' | 'UnknownVendorId';

/** The answer to a data transfer. */
export interface DataTransferResult {
  /** The outcome. */
  readonly status: DataTransferStatus;
  /** Data returned (1.6: text). */
  readonly data?: unknown;
  /** 2.x only. */
  readonly statusInfo?: StatusInfo;
}

/** A firmware update request (1.6 UpdateFirmware or, when signed, SignedUpdateFirmware; 2.x UpdateFirmware). */
export interface UpdateFirmwareParams {
  /** Where to download the firmware. */
  readonly location: string;
  /** When to download it. */
  readonly retrieveDateTime: string;
  /** When to install it. Lost on plain 1.6 UpdateFirmware. */
  readonly installDateTime?: string;
  /** Download attempts. */
  readonly retries?: number;
  /** Seconds between attempts. */
  readonly retryInterval?: number;
  /** Correlates status notifications. Lost on plain 1.6. @default a per-station counter */
  readonly requestId?: number;
  /** PEM certificate of the signer: makes 1.6 use SignedUpdateFirmware. */
  readonly signingCertificate?: string;
  /** Base64 signature of the firmware: makes 1.6 use SignedUpdateFirmware. */
  readonly signature?: string;
}

/** The outcome of a firmware update request. */
export type UpdateFirmwareStatus =
  | 'Accepted'
  | 'Rejected'
  | 'AcceptedCanceled'
  | 'InvalidCertificate'
  | 'RevokedCertificate';

/** The answer to a firmware update request (plain 1.6 has no answer: lifted as `Accepted`). */
export interface UpdateFirmwareResult {
  /** The outcome. */
  readonly status: UpdateFirmwareStatus;
  /** 2.x only. */
  readonly statusInfo?: StatusInfo;
}

/** Firmware progress (2.x `FirmwareStatusEnumType`, which 1.6 security also uses). */
export type FirmwareStatus =
  | 'Downloaded'
  | 'DownloadFailed'
  | 'Downloading'
  | 'DownloadScheduled'
  | 'DownloadPaused'
  | 'Idle'
  | 'InstallationFailed'
  | 'Installing'
  | 'Installed'
  | 'InstallRebooting'
  | 'InstallScheduled'
  | 'InstallVerificationFailed'
  | 'InvalidSignature'
  | 'SignatureVerified';

/** A firmware status notification. */
export interface FirmwareStatusParams {
  /** The progress. */
  readonly status: FirmwareStatus;
  /** The update's request id (1.6: present → SignedFirmwareStatusNotification). */
  readonly requestId?: number;
}

/** Which log (1.6 GetDiagnostics uploads the diagnostics log). */
export type LogType = 'DiagnosticsLog' | 'SecurityLog' | 'DataCollectorLog';

/** A log upload request (1.6 GetDiagnostics for the diagnostics log, GetLog for the security log; 2.x GetLog). */
export interface GetLogParams {
  /** Where to upload. */
  readonly remoteLocation: string;
  /** @default 'DiagnosticsLog' */
  readonly logType?: LogType;
  /** Correlates status notifications. Lost on 1.6 GetDiagnostics. @default a per-station counter */
  readonly requestId?: number;
  /** Oldest entry wanted. */
  readonly oldestTimestamp?: string;
  /** Newest entry wanted. */
  readonly latestTimestamp?: string;
  /** Upload attempts. */
  readonly retries?: number;
  /** Seconds between attempts. */
  readonly retryInterval?: number;
}

/** The answer to a log request (1.6 GetDiagnostics: `Accepted`, with the file name when known). */
export interface GetLogResult {
  /** The outcome. */
  readonly status: 'Accepted' | 'Rejected' | 'AcceptedCanceled';
  /** The file that will be uploaded. */
  readonly filename?: string;
  /** 2.x only. */
  readonly statusInfo?: StatusInfo;
}

/** Upload progress (2.x `UploadLogStatusEnumType`). */
export type UploadLogStatus =
  | 'BadMessage'
  | 'Idle'
  | 'NotSupportedOperation'
  | 'PermissionDenied'
  | 'Uploaded'
  | 'UploadFailure'
  | 'Uploading'
  | 'AcceptedCanceled';

/** A log upload status notification (1.6: DiagnosticsStatusNotification, or LogStatusNotification with a request id). */
export interface LogStatusParams {
  /** The progress. */
  readonly status: UploadLogStatus;
  /** The log request's id. */
  readonly requestId?: number;
}

// ---------------------------------------------------------------------------------------------
// Smart charging
// ---------------------------------------------------------------------------------------------

/** Profile purpose, 2.x names (1.6 `ChargePointMaxProfile` is `ChargingStationMaxProfile`). */
export type ChargingProfilePurpose =
  | 'ChargingStationMaxProfile'
  | 'TxDefaultProfile'
  | 'TxProfile'
  | 'ChargingStationExternalConstraints';

/** One period of a schedule. */
export interface ChargingSchedulePeriod {
  /** Seconds from the start of the schedule. */
  readonly startPeriod: number;
  /** The limit in the schedule's unit; 1.6 and 2.0.1 require it (2.1 periods may carry only setpoints, which are not modelled). */
  readonly limit?: number;
  /** Phases that may be used. */
  readonly numberPhases?: number;
  /** 2.x only: the phase for single-phase charging. Lost on 1.6. */
  readonly phaseToUse?: number;
}

/** A charging schedule. */
export interface ChargingSchedule {
  /** 2.x schedule id. Lost on 1.6. @default its 1-based position, when stamped to 2.x */
  readonly id?: number;
  /** Start of an absolute schedule. */
  readonly startSchedule?: string;
  /** Length in seconds. */
  readonly duration?: number;
  /** Amperes or watts. */
  readonly chargingRateUnit: 'A' | 'W';
  /** The periods (at least one). */
  readonly chargingSchedulePeriod: readonly ChargingSchedulePeriod[];
  /** Lowest rate the EV supports. */
  readonly minChargingRate?: number;
}

/** A charging profile (2.x shape; 1.6 holds exactly one schedule). */
export interface ChargingProfile {
  /** Profile id. */
  readonly id: number;
  /** Priority among profiles of one purpose. */
  readonly stackLevel: number;
  /** What the profile limits. */
  readonly chargingProfilePurpose: ChargingProfilePurpose;
  /** How the schedule is anchored in time. */
  readonly chargingProfileKind: 'Absolute' | 'Recurring' | 'Relative';
  /** For recurring profiles. */
  readonly recurrencyKind?: 'Daily' | 'Weekly';
  /** Valid from. */
  readonly validFrom?: string;
  /** Valid until. */
  readonly validTo?: string;
  /** TxProfile: the neutral transaction id it applies to. */
  readonly transactionId?: string;
  /** The schedules: 1.6 takes exactly one, 2.x one to three. */
  readonly chargingSchedule: readonly ChargingSchedule[];
}

/** Installs a charging profile. */
export interface SetChargingProfileParams {
  /** The EVSE (1.6 connector id); 0 = the whole station. */
  readonly evseId: number;
  /** The profile. */
  readonly chargingProfile: ChargingProfile;
}

/** The answer to installing a profile (`NotSupported` is 1.6 only). */
export interface SetChargingProfileResult {
  /** The outcome. */
  readonly status: 'Accepted' | 'Rejected' | 'NotSupported';
  /** 2.x only. */
  readonly statusInfo?: StatusInfo;
}

/** Removes charging profiles, by id or by criteria. */
export interface ClearChargingProfileParams {
  /** The profile id. */
  readonly id?: number;
  /** Profiles of this EVSE (1.6 connector id). */
  readonly evseId?: number;
  /** Profiles of this purpose. */
  readonly chargingProfilePurpose?: ChargingProfilePurpose;
  /** Profiles of this stack level. */
  readonly stackLevel?: number;
}

/** The answer to clearing profiles. */
export interface ClearChargingProfileResult {
  /** `Unknown`: nothing matched. */
  readonly status: 'Accepted' | 'Unknown';
  /** 2.x only. */
  readonly statusInfo?: StatusInfo;
}

/** Asks for the schedule a station will follow. */
export interface GetCompositeScheduleParams {
  /** The EVSE (1.6 connector id); 0 = the grid connection. */
  readonly evseId: number;
  /** Seconds from now. */
  readonly duration: number;
  /** The unit wanted. */
  readonly chargingRateUnit?: 'A' | 'W';
}

/** The composite schedule (2.x `CompositeScheduleType`). */
export interface CompositeSchedule {
  /** The EVSE it is for. */
  readonly evseId: number;
  /** Seconds. */
  readonly duration: number;
  /** When it starts. */
  readonly scheduleStart: string;
  /** Amperes or watts. */
  readonly chargingRateUnit: 'A' | 'W';
  /** The periods. */
  readonly chargingSchedulePeriod: readonly ChargingSchedulePeriod[];
}

/** The answer to a composite schedule request. */
export interface GetCompositeScheduleResult {
  /** The outcome. */
  readonly status: AcceptedRejected;
  /** The schedule, when accepted. */
  readonly schedule?: CompositeSchedule;
  /** 2.x only. */
  readonly statusInfo?: StatusInfo;
}

// ---------------------------------------------------------------------------------------------
// Reservations, local list, cache
// ---------------------------------------------------------------------------------------------

/** Reserves an EVSE (or the station) for an identifier. */
export interface ReserveNowParams {
  /** Reservation id. */
  readonly id: number;
  /** When it expires. */
  readonly expiryDateTime: string;
  /** Who it is for. */
  readonly idToken: IdToken;
  /** The EVSE (1.6 connector id); absent = any (1.6 connector 0). */
  readonly evseId?: number;
  /** The group (1.6 `parentIdTag`). */
  readonly groupIdToken?: IdToken;
  /** 2.x only: the connector type wanted. Lost on 1.6. */
  readonly connectorType?: string;
}

/** The answer to a reservation. */
export interface ReserveNowResult {
  /** The outcome. */
  readonly status: 'Accepted' | 'Faulted' | 'Occupied' | 'Rejected' | 'Unavailable';
  /** 2.x only. */
  readonly statusInfo?: StatusInfo;
}

/** Cancels a reservation. */
export interface CancelReservationParams {
  /** The reservation id. */
  readonly reservationId: number;
}

/** One entry of the local authorisation list. */
export interface LocalListEntry {
  /** The identifier. */
  readonly idToken: IdToken;
  /** Its authorisation; absent removes it in a differential update. */
  readonly idTokenInfo?: IdTokenInfo;
}

/** Sends (part of) the local authorisation list. */
export interface SendLocalListParams {
  /** The list's new version (1.6 `listVersion`). */
  readonly versionNumber: number;
  /** Replace the list or change entries. */
  readonly updateType: 'Full' | 'Differential';
  /** The entries. */
  readonly localAuthorizationList?: readonly LocalListEntry[];
}

/** The answer to a local list update (`NotSupported` is 1.6 only). */
export interface SendLocalListResult {
  /** The outcome. */
  readonly status: 'Accepted' | 'Failed' | 'VersionMismatch' | 'NotSupported';
  /** 2.x only. */
  readonly statusInfo?: StatusInfo;
}

/** The local list version a station holds. */
export interface LocalListVersionResult {
  /** 0 = no list; -1 (1.6) = no list support. */
  readonly versionNumber: number;
}
