/**
 * The container HEALTHCHECK: GET /healthz when an HTTP transport runs; in stdio mode there is no
 * listener to probe, so it reports healthy. Exit 0 healthy, 1 unhealthy.
 */
import { request } from 'node:http';
import { httpProbeTarget } from './config/probe-target';

const target = httpProbeTarget(process.argv.slice(2));
if (!target) process.exit(0);
const req = request({ host: target.host, port: target.port, path: '/healthz', timeout: 4000 }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on('timeout', () => req.destroy(new Error('timeout')));
req.on('error', () => process.exit(1));
req.end();
