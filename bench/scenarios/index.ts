/**
 * Every scenario `npm run bench` knows, in the order it runs and prints them. A new part of the
 * table (HTTP hello world, static files, …) is a new file in this folder, added here.
 */
import type { Scenario } from '../lib/scenario';
import { cgiScenario } from './cgi';
import { echoScenario } from './echo';
import { httpHelloScenario, httpPipelinedScenario } from './http-hello';
import { staticLargeScenario, staticSmallScenario } from './static-files';

export const scenarios: readonly Scenario[] = [
  echoScenario,
  httpHelloScenario,
  httpPipelinedScenario,
  staticSmallScenario,
  staticLargeScenario,
  cgiScenario,
];
