import { runAlgorithmSuite } from './algorithm.case.ts';
import { randomDraws } from './random.ts';

runAlgorithmSuite('random(2)', randomDraws, {
  balance: { algorithm: 'random', draws: 2 },
  weighted: true,
  tolerance: 0.1,
});
runAlgorithmSuite('random(1)', randomDraws, {
  balance: { algorithm: 'random', draws: 1 },
  weighted: true,
  tolerance: 0.1,
});
