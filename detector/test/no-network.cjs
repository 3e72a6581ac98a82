// Preloaded into the detector under test: any outgoing connection or name
// lookup fails loudly, so a detector that needs the network cannot pass.
const dns = require('node:dns');
const net = require('node:net');

function refuse(what) {
  const message = `network use at run time: ${what}`;
  console.error(message);
  throw new Error(message);
}

net.Socket.prototype.connect = function connect(...args) {
  refuse(`connect ${JSON.stringify(args[0])}`);
};
// Listening on an address looks it up; an address needs no network to look up.
const { lookup } = dns;
const { lookup: lookupPromise } = dns.promises;
dns.lookup = (host, ...rest) => (net.isIP(host) ? lookup(host, ...rest) : refuse(`lookup ${host}`));
dns.promises.lookup = async (host, ...rest) => (net.isIP(host) ? lookupPromise(host, ...rest) : refuse(`lookup ${host}`));
globalThis.fetch = async (url) => refuse(`fetch ${url}`);
