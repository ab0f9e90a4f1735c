/**
 * Synthesis must be hermetic: imported first by app.ts, this makes every network call fail and records it
 * (in case a library swallows the error). sync-request (which eks-blueprints uses to fetch YAML and Helm
 * indexes) runs its request in a child process, so the module itself is replaced; in-process clients go
 * through http, https, net, tls and dns.
 */
import dns = require('dns');
import http = require('http');
import https = require('https');
import Module = require('module');
import net = require('net');
import tls = require('tls');

/** Every network call attempted since start. */
export const networkCalls: string[] = [];

function block(name: string): (...args: unknown[]) => never {
  return (...args: unknown[]) => {
    networkCalls.push(`${name} ${JSON.stringify(args[0])?.slice(0, 100)}`);
    throw new Error(`network access at synth: ${name}`);
  };
}

Object.assign(http, { request: block('http.request'), get: block('http.get') });
Object.assign(https, { request: block('https.request'), get: block('https.get') });
Object.assign(net, { connect: block('net.connect'), createConnection: block('net.createConnection') });
Object.assign(tls, { connect: block('tls.connect') });
Object.assign(dns, { lookup: block('dns.lookup') });

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Load };
const load = loader._load;
loader._load = function (this: unknown, request: string, parent: unknown, isMain: boolean): unknown {
  if (request === 'sync-request') {
    return (method: string, url: string) => {
      networkCalls.push(`sync-request ${method} ${url}`);
      throw new Error(`network access at synth: sync-request ${method} ${url}`);
    };
  }
  return load.call(this, request, parent, isMain);
};
