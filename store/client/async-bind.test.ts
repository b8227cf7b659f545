import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import * as http2 from 'node:http2';
import { installCheapAsyncBind, uninstallCheapAsyncBind } from './async-bind.js';

// The same observable behaviour as Node's own bind, checked with both in place.
for (const cheap of [false, true]) {
  test(`AsyncResource bind (${cheap ? 'cheap' : "Node's"}): scope, this, arguments, length, asyncResource`, () => {
    if (cheap) assert.equal(installCheapAsyncBind(), process.versions.node.startsWith('20.'));
    try {
      const als = new AsyncLocalStorage<string>();
      const r = als.run('inside', () => new AsyncResource('T'));
      const seen: unknown[] = [];
      function f(this: unknown, a: number, b: number): number {
        seen.push(als.getStore(), this, a, b);
        return a + b;
      }
      const bound = r.bind(f) as unknown as ((this: unknown, a: number, b: number) => number)
        & { asyncResource: AsyncResource };
      const receiver = { k: 1 };
      assert.equal(als.run('outside', () => bound.call(receiver, 2, 3)), 5);
      assert.deepEqual(seen, ['inside', receiver, 2, 3]);
      assert.equal(bound.length, 2);
      type BindWithThis = (fn: typeof f, thisArg: unknown) => (a: number, b: number) => number;
      const bindWithThis = r.bind.bind(r) as unknown as BindWithThis;
      const withThis = bindWithThis(f, receiver);
      seen.length = 0;
      assert.equal(withThis(4, 5), 9);
      assert.deepEqual(seen, ['inside', receiver, 4, 5]);
      assert.equal(bound.asyncResource, r);
      // each bound function answers its own resource (the cheap one shares one accessor pair)
      const r2 = new AsyncResource('U');
      const other = r2.bind(() => 7) as unknown as (() => number) & { asyncResource: AsyncResource };
      assert.equal(other.length, 0);
      assert.equal(other(), 7);
      assert.equal(other.asyncResource, r2);
      assert.equal(bound.asyncResource, r);
      other.asyncResource = r; // the accessor's setter: changes the answer, not the scope
      assert.equal(other.asyncResource, r);
      assert.equal(bound.asyncResource, r);
      assert.ok(Object.keys(bound).includes('asyncResource'));
      assert.throws(() => r.bind(42 as never), { code: 'ERR_INVALID_ARG_TYPE' });
    } finally {
      uninstallCheapAsyncBind();
    }
  });
}

test('cheap bind: an HTTP/2 request still works (request() binds its connect callback)', async () => {
  installCheapAsyncBind();
  const srv = http2.createServer();
  srv.on('stream', (s) => { s.respond({ ':status': 200 }); s.end('pong'); });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  const c = http2.connect(`http://127.0.0.1:${port}`);
  try {
    for (let i = 0; i < 2; i++) { // before and after the session connected
      const body = await new Promise<string>((resolve, reject) => {
        const st = c.request({ ':method': 'POST', ':path': '/' });
        let text = '';
        st.setEncoding('utf8');
        st.on('data', (d: string) => { text += d; });
        st.on('error', reject);
        st.on('close', () => resolve(text));
        st.end('ping');
      });
      assert.equal(body, 'pong');
    }
  } finally {
    c.close();
    srv.close();
    uninstallCheapAsyncBind();
  }
});
