/** The exact session and router types of each version, for one side's codec. */
import type { OcppSession, Router } from '@ocpp/rpc';
import type { V16ActionMap } from '@ocpp/v16-core';
import type { V21ActionMap } from '@ocpp/v21-core';
import type { V201ActionMap } from '@ocpp/v201-core';

export type Session16<R extends 'csms' | 'station'> = OcppSession<'1.6', V16ActionMap, R>;
export type Session201<R extends 'csms' | 'station'> = OcppSession<'2.0.1', V201ActionMap, R>;
export type Session21<R extends 'csms' | 'station'> = OcppSession<'2.1', V21ActionMap, R>;
// biome-ignore lint/suspicious/noExplicitAny: routers with any injected dependencies
export type Router16<R extends 'csms' | 'station'> = Router<'1.6', V16ActionMap, R, any>;
// biome-ignore lint/suspicious/noExplicitAny: routers with any injected dependencies
export type Router201<R extends 'csms' | 'station'> = Router<'2.0.1', V201ActionMap, R, any>;
// biome-ignore lint/suspicious/noExplicitAny: routers with any injected dependencies
export type Router21<R extends 'csms' | 'station'> = Router<'2.1', V21ActionMap, R, any>;
