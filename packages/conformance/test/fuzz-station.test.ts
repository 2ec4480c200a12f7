import { fuzz } from './fuzz.js';

// The CSMS side runs in test/fuzz-csms.test.ts, in a worker of its own.
fuzz('station');
