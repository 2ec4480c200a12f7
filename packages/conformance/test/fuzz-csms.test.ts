import { fuzz } from './fuzz.js';

// The station side runs in test/fuzz-station.test.ts, in a worker of its own.
fuzz('csms');
