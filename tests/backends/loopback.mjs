// Preload (node --import) forcing listen(port) to bind 127.0.0.1 only.
// server-everything calls app.listen(PORT) without a host, which would
// bind every interface; tests must stay on loopback.
import net from 'node:net';

const orig = net.Server.prototype.listen;
net.Server.prototype.listen = function (...a) {
	const isPort = typeof a[0] === 'number' ||
	    (typeof a[0] === 'string' && /^\d+$/.test(a[0]));
	if (isPort && typeof a[1] !== 'string') {
		a[0] = Number(a[0]);
		a.splice(1, 0, '127.0.0.1');
	}
	return orig.apply(this, a);
};
