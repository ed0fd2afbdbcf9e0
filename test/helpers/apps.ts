/** The simulated application clients live in src/demo (the demo uses them too). */
export { startApp, startWorkload, type AppClient, type AppQuery, type AppStats } from '../../src/demo/app-client.js';
