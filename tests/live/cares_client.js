// cares_client.js - a real c-ares client for the live tests: Node.js's
// dns.Resolver (c-ares under libuv's event loop: the socket is polled, and
// read when the loop gets to it) asks for the A and AAAA of NAME, at the
// servers /etc/resolv.conf names.  Exit 0 when both are answered, 1 else.
//
// usage: node cares_client.js NAME
'use strict';
const dns = require('dns');

const name = process.argv[2];
if (!name) {
	console.error('usage: node cares_client.js NAME');
	process.exit(2);
}
const resolver = new dns.Resolver({timeout: 2000, tries: 1});
Promise.all([
	new Promise((ok, fail) => resolver.resolve4(name, (e, a) => (e ? fail(e) : ok(a)))),
	new Promise((ok, fail) => resolver.resolve6(name, (e, a) => (e ? fail(e) : ok(a)))),
]).then(
	(r) => {
		console.log(JSON.stringify(r));
		process.exit(0);
	},
	(e) => {
		console.error('cares_client: ' + name + ': ' + e.code);
		process.exit(1);
	});
