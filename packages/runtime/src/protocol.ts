import { ERROR_CODES, type ErrorCodeOf, violationCode } from './error-codes.js';
import { OcppSdkError } from './errors.js';
import { type KeyTable, type SnakeCased, toCamelCase, toSnakeCase } from './keys.js';
import {
  type FastValidator,
  finishIssue,
  type ValidationFailure,
  type ValidationResult,
} from './validation.js';
import { type Direction, type OcppVersion, SUBPROTOCOLS } from './versions.js';

/** How a message of an action travels: a CALL expects a reply, a SEND (2.1) does not. */
export type ActionKind = 'CALL' | 'SEND';

/** The compile-time facts of one action, as generated into each core package's action map. */
export interface ActionTypes {
  readonly request: unknown;
  readonly response: unknown;
  readonly direction: Direction;
  readonly kind: ActionKind;
}

/** The constraint on a generated action map: every entry is an {@link ActionTypes}. */
export type ActionMapShape<M> = { readonly [K in keyof M]: ActionTypes };

/** Run-time facts of one message (request or response) of an action. */
export interface MessageDescriptor {
  /** The spec's name of the message type, e.g. `BootNotificationRequest`. */
  readonly name: string;
  /** The generated fast validator. */
  readonly validate: FastValidator;
  /** The generated camelCase ↔ snake_case key table. */
  readonly keys: KeyTable;
  /** The generated zod schema (typed precisely by the version's `*Schemas` map). */
  readonly schema: unknown;
}

/** Run-time facts of one action. */
export interface ActionDescriptor<
  Name extends string = string,
  T extends ActionTypes = ActionTypes,
> {
  readonly name: Name;
  readonly direction: T['direction'];
  readonly kind: T['kind'];
  readonly request: MessageDescriptor;
  /** `undefined` for a SEND action, which has no reply. */
  readonly response: T['kind'] extends 'SEND' ? undefined : MessageDescriptor;
}

/** The action registry of a version: every action of its map, none missing. */
export type ActionRegistry<M extends ActionMapShape<M>> = {
  readonly [A in keyof M & string]: ActionDescriptor<A, M[A]>;
};

/** Which message of an action: the request, or the response to it. */
export type MessagePart = 'request' | 'response';

/** Actions a role may send as a CALL or SEND. */
export type ActionsSentBy<M extends ActionMapShape<M>, From extends 'station' | 'csms'> = {
  [A in keyof M]: M[A]['direction'] extends 'Both'
    ? A
    : M[A]['direction'] extends (From extends 'station' ? 'StationToCsms' : 'CsmsToStation')
      ? A
      : never;
}[keyof M];

/** One OCPP version's protocol: subprotocol, action registry, error codes, validation. */
export interface Protocol<V extends OcppVersion, M extends ActionMapShape<M>> {
  readonly version: V;
  readonly subprotocol: (typeof SUBPROTOCOLS)[V];
  readonly actions: ActionRegistry<M>;
  /** The version's CALLERROR codes with their meanings. */
  readonly errorCodes: (typeof ERROR_CODES)[V];
  /** True when `name` is an action of this version. */
  isAction(name: string): name is keyof M & string;
  /**
   * Validates a payload against the official schema (with errata applied). On failure the result
   * carries the version-correct CALLERROR code and the issues found.
   */
  validate<A extends keyof M & string, P extends MessagePart>(
    action: A,
    part: P,
    payload: unknown,
  ): ValidationResult<M[A][P], ErrorCodeOf<V>>;
  /**
   * Validates like {@link Protocol.validate} but builds nothing for a valid payload: returns
   * `undefined` when the payload is valid, else the failure (the version-correct CALLERROR code and
   * the issues). Throws `OcppSdkError` `UNKNOWN_ACTION` for an action or part the version lacks.
   */
  check(
    action: string,
    part: MessagePart,
    payload: unknown,
  ): ValidationFailure<ErrorCodeOf<V>> | undefined;
  /**
   * Renames a payload's keys to snake_case following the generated key table (the names of the
   * Python `ocpp` library, `snakeKey`); typed `SnakeCased<...>` for a typed payload. Throws
   * `OcppSdkError` `KEY_COLLISION` when two keys of one object would get the same name, and
   * `UNKNOWN_ACTION` for an action or part the version lacks.
   */
  toSnakeCase<A extends keyof M & string, P extends MessagePart>(
    action: A,
    part: P,
    payload: M[A][P],
  ): SnakeCased<M[A][P]>;
  toSnakeCase(action: keyof M & string, part: MessagePart, payload: unknown): unknown;
  /**
   * Renames a snake_case payload's keys back to the wire's camelCase, by the same table; typed
   * as the message for a payload typed `SnakeCased<...>`. Throws like {@link Protocol.toSnakeCase}.
   */
  toCamelCase<A extends keyof M & string, P extends MessagePart>(
    action: A,
    part: P,
    payload: SnakeCased<M[A][P]>,
  ): M[A][P];
  toCamelCase(action: keyof M & string, part: MessagePart, payload: unknown): unknown;
}

function messageOf(
  actions: Record<string, ActionDescriptor>,
  action: string,
  part: MessagePart,
): MessageDescriptor {
  const entry = Object.hasOwn(actions, action) ? actions[action] : undefined;
  if (entry === undefined) throw new OcppSdkError('UNKNOWN_ACTION', `unknown action "${action}"`);
  const message = entry[part];
  if (message === undefined) {
    throw new OcppSdkError('UNKNOWN_ACTION', `"${action}" is a SEND action and has no ${part}`);
  }
  return message;
}

/** Ties a version's generated registry into its {@link Protocol} descriptor. */
export function defineProtocol<V extends OcppVersion, M extends ActionMapShape<M>>(
  version: V,
  actions: ActionRegistry<M>,
): Protocol<V, M> {
  const table = actions as unknown as Record<string, ActionDescriptor>;
  // Built on the first validation: a Map finds an action by a string `JSON.parse` just made
  // with one hash, where an own-property test and a keyed load each look the string up again.
  let index: Map<string, ActionDescriptor> | undefined;
  const message = (action: string, part: MessagePart): MessageDescriptor => {
    index ??= new Map(Object.entries(table));
    const entry = index.get(action);
    if (entry === undefined) return messageOf(table, action, part);
    const found =
      part === 'request' ? entry.request : part === 'response' ? entry.response : undefined;
    return found ?? messageOf(table, action, part);
  };
  const check = (
    action: string,
    part: MessagePart,
    payload: unknown,
  ): ValidationFailure<ErrorCodeOf<V>> | undefined => {
    const raw = message(action, part).validate(payload);
    if (raw === null) return undefined;
    const issue = finishIssue(raw);
    return { success: false, errorCode: violationCode(version, issue.kind), issues: [issue] };
  };
  return {
    version,
    subprotocol: SUBPROTOCOLS[version],
    actions,
    errorCodes: ERROR_CODES[version],
    isAction: (name: string): name is keyof M & string => Object.hasOwn(table, name),
    validate(action, part, payload) {
      return (
        check(action, part, payload) ?? {
          success: true,
          data: payload as M[typeof action][typeof part],
        }
      );
    },
    check,
    // One implementation for both overloads of each: the typed one only narrows the types.
    toSnakeCase: (action: string, part: MessagePart, payload: unknown) =>
      toSnakeCase(messageOf(table, action, part).keys, payload) as never,
    toCamelCase: (action: string, part: MessagePart, payload: unknown) =>
      toCamelCase<unknown>(messageOf(table, action, part).keys, payload) as never,
  };
}
