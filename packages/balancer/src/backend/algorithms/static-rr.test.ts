import { runAlgorithmSuite } from './algorithm.case.ts';
import { staticRoundRobin } from './static-rr.ts';

runAlgorithmSuite('static-rr', staticRoundRobin, { balance: { algorithm: 'static-rr' }, weighted: true });
