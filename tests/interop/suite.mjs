// The interop suite: the real, independently written clients (@bsv/sdk AuthFetch, @bsv/message-box-client,
// authrite-js) against a running relay. Driven by tests/PeerServ.EndToEnd.Tests against both the standalone
// host and the distributed stack; also runnable by hand:
//   node suite.mjs <baseUrl>          runs every case, one JSON line per case: {"case","ok","error"?}
//   node suite.mjs --list             prints the case names
import { createRequire } from 'node:module'
import { randomBytes } from 'node:crypto'
import assert from 'node:assert/strict'

// Results go to stdout, one JSON line each; the clients' own console.log chatter (message-box-client 2.1.1 logs
// every quote) goes to stderr so it cannot be mistaken for a result.
const emit = (line) => process.stdout.write(line + '\n')
console.log = (...args) => console.error(...args)

// AuthFetch captures globalThis.fetch when @bsv/sdk loads: install a seam first, so a case can alter requests in flight.
const realFetch = globalThis.fetch.bind(globalThis)
let tamper = null
globalThis.fetch = (url, init) => (tamper ? tamper(url, init) : realFetch(url, init))

const { AuthFetch, ProtoWallet, PrivateKey } = await import('@bsv/sdk')
const { MessageBoxClient, PeerPayClient } = await import('@bsv/message-box-client')
const { AuthSocketClient } = await import('@bsv/authsocket-client')
const { io } = await import('socket.io-client')
const { registerLiveCases } = await import('./live-cases.mjs')
const { registerPermissionCases } = await import('./permission-cases.mjs')
const require = createRequire(import.meta.url)
const { Authrite } = require('authrite-js')

const base = process.argv[2]
const json = (body) => (typeof body === 'string' ? body : JSON.stringify(body))
const box = () => `box_${randomBytes(5).toString('hex')}`

function authFetchUser () {
  const key = PrivateKey.fromRandom()
  const client = new AuthFetch(new ProtoWallet(key))
  return {
    kind: 'authfetch',
    key,
    identity: key.toPublicKey().toString(),
    async post (path, body) {
      const res = await client.fetch(base + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: json(body) })
      const text = await res.text()
      let parsed
      try { parsed = JSON.parse(text) } catch { throw new Error(`${path} answered ${res.status} with non-JSON: ${text.slice(0, 200)}`) }
      return { status: res.status, json: parsed }
    },
    async get (pathAndQuery) {
      const res = await client.fetch(base + pathAndQuery, { method: 'GET' })
      const text = await res.text()
      let parsed
      try { parsed = JSON.parse(text) } catch { throw new Error(`${pathAndQuery} answered ${res.status} with non-JSON: ${text.slice(0, 200)}`) }
      return { status: res.status, json: parsed }
    }
  }
}

function authriteUser () {
  const hex = randomBytes(32).toString('hex')
  const client = new Authrite({ clientPrivateKey: hex })
  return {
    kind: 'authrite-js',
    identity: PrivateKey.fromHex(hex).toPublicKey().toString(),
    async post (path, body) {
      const res = await client.request(base + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: json(body) })
      return { status: res.status, json: await res.json() }
    }
  }
}

const send = (user, recipient, messageBox, body, messageId) =>
  user.post('/sendMessage', { message: { recipient, messageBox, body, ...(messageId === undefined ? {} : { messageId }) } })

async function list (user, messageBox, extra = {}) {
  const { status, json: res } = await user.post('/listMessages', { messageBox, ...extra })
  assert.equal(status, 200, `listMessages answered ${status}: ${JSON.stringify(res)}`)
  return res.messages
}

async function ok (promise, what) {
  const { status, json: res } = await promise
  assert.equal(status, 200, `${what}: expected 200, got ${status} ${JSON.stringify(res)}`)
  assert.equal(res.status, 'success', `${what}: ${JSON.stringify(res)}`)
  return res
}

const bodies = {
  unicode: 'héllo wörld — ünïcödé',
  emoji: 'emoji 😀🎉👩‍👩‍👧‍👦',
  astral: 'astral 𝄞 𐍈 𠜎 🜁',
  jsonInString: '{"nested":{"array":[1,2,3],"quote":"\\"q\\""}}',
  whitespace: '  leading and trailing  \t\n\r\n  ',
  control: 'ctrl \u0001\u0002\u001f\u007f end',
  backslashes: 'C:\\path\\to\\file \\u0041 not an escape'
}

const cases = []
const test = (name, fn) => cases.push({ name, fn })

for (const make of [authFetchUser, authriteUser]) {
  const kind = make().kind
  test(`${kind}: handshake, send → list → acknowledge → list is empty`, async () => {
    const alice = make(); const bob = make(); const b = box()
    const sent = await ok(send(alice, bob.identity, b, 'round trip', 'rt-1'), 'send')
    assert.equal(sent.messageId, 'rt-1')
    const listed = await list(bob, b)
    assert.equal(listed.length, 1)
    assert.deepEqual([listed[0].body, listed[0].sender, listed[0].messageId], ['round trip', alice.identity, 'rt-1'])
    await ok(bob.post('/acknowledgeMessage', { messageIds: ['rt-1'] }), 'acknowledge')
    assert.deepEqual(await list(bob, b), [])
  })

  test(`${kind}: bodies come back byte for byte (unicode, emoji, astral, JSON in a string, whitespace, control characters)`, async () => {
    const alice = make(); const bob = make(); const b = box()
    for (const [id, body] of Object.entries(bodies)) await ok(send(alice, bob.identity, b, body, id), `send ${id}`)
    const listed = await list(bob, b)
    for (const [id, body] of Object.entries(bodies)) {
      const got = listed.find(m => m.messageId === id)
      assert.ok(got, `message ${id} missing`)
      assert.equal(got.body, body, `body ${id} changed`)
    }
  })

  test(`${kind}: a 256 KiB body comes back byte for byte`, async () => {
    const alice = make(); const b = box()
    const body = ('0123456789abcdef😀' + 'x'.repeat(46)).repeat(4096).slice(0, 256 * 1024)
    await ok(send(alice, alice.identity, b, body, 'big'), 'send 256 KiB')
    const [got] = await list(alice, b)
    assert.equal(got.body.length, body.length)
    assert.equal(got.body, body)
  })
}

test('message-box-client: encrypted round trip (sendMessage → listMessages decrypts → acknowledgeMessage)', async () => {
  const aliceKey = PrivateKey.fromRandom(); const bobKey = PrivateKey.fromRandom(); const b = box()
  const alice = new MessageBoxClient({ host: base, walletClient: new ProtoWallet(aliceKey) })
  const bob = new MessageBoxClient({ host: base, walletClient: new ProtoWallet(bobKey) })
  const plaintext = 'secret 🌍 for bob only'
  const sent = await alice.sendMessage({ recipient: bobKey.toPublicKey().toString(), messageBox: b, body: plaintext }, base)
  assert.equal(sent.status, 'success')
  assert.match(sent.messageId, /^[0-9a-f]{64}$/, 'message id is the client HMAC')
  const raw = await list({ post: authFetchUserFor(bobKey) }, b)
  assert.equal(raw.length, 1)
  assert.ok(!raw[0].body.includes('secret'), 'stored body is ciphertext')
  assert.ok(JSON.parse(raw[0].body).encryptedMessage, 'stored body is {"encryptedMessage":…}')
  const listed = await bob.listMessages({ messageBox: b, host: base })
  assert.equal(listed.length, 1)
  assert.equal(listed[0].body, plaintext)
  assert.equal(listed[0].sender, aliceKey.toPublicKey().toString())
  assert.equal(listed[0].messageId, sent.messageId)
  assert.equal(await bob.acknowledgeMessage({ messageIds: [sent.messageId], host: base }), 'success')
  assert.deepEqual(await bob.listMessages({ messageBox: b, host: base }), [])
})

function authFetchUserFor (key) {
  const client = new AuthFetch(new ProtoWallet(key))
  return async (path, body) => {
    const res = await client.fetch(base + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: json(body) })
    return { status: res.status, json: await res.json() }
  }
}

test('cross-generation: sent with authrite-js (BRC-31), listed and acknowledged with AuthFetch (BRC-104)', async () => {
  const alice = authriteUser(); const bob = authFetchUser(); const b = box()
  await ok(send(alice, bob.identity, b, 'from brc-31', 'x31'), 'send')
  const [got] = await list(bob, b)
  assert.deepEqual([got.body, got.sender], ['from brc-31', alice.identity])
  await ok(bob.post('/acknowledgeMessage', { messageIds: ['x31'] }), 'acknowledge')
})

test('cross-generation: sent with AuthFetch (BRC-104), listed and acknowledged with authrite-js (BRC-31)', async () => {
  const alice = authFetchUser(); const bob = authriteUser(); const b = box()
  await ok(send(alice, bob.identity, b, 'from brc-104', 'x104'), 'send')
  const [got] = await list(bob, b)
  assert.deepEqual([got.body, got.sender], ['from brc-104', alice.identity])
  await ok(bob.post('/acknowledgeMessage', { messageIds: ['x104'] }), 'acknowledge')
})

test('isolation: another identity, the sender and another box see nothing; a foreign acknowledgement deletes nothing', async () => {
  const alice = authFetchUser(); const bob = authFetchUser(); const mallory = authriteUser(); const b = box()
  await ok(send(alice, bob.identity, b, 'for bob', 'iso-1'), 'send')
  assert.deepEqual(await list(mallory, b), [])
  assert.deepEqual(await list(alice, b), [])
  assert.deepEqual(await list(bob, b + '_other'), [])
  const foreign = await mallory.post('/acknowledgeMessage', { messageIds: ['iso-1'] })
  assert.deepEqual([foreign.status, foreign.json.code], [400, 'ERR_INVALID_ACKNOWLEDGMENT'])
  assert.equal((await list(bob, b)).length, 1)
})

const key = () => PrivateKey.fromRandom().toPublicKey().toString()
const invalid = [
  ['/sendMessage', 'without message', () => ({}), 400, 'ERR_MESSAGE_REQUIRED'],
  ['/sendMessage', 'message not an object', () => ({ message: 'text' }), 400, 'ERR_INVALID_MESSAGE'],
  ['/sendMessage', 'without recipient', () => ({ message: { messageBox: 'b', body: 'x' } }), 400, 'ERR_RECIPIENT_REQUIRED'],
  ['/sendMessage', 'recipient a number', () => ({ message: { recipient: 7, messageBox: 'b', body: 'x' } }), 400, 'ERR_INVALID_RECIPIENT'],
  ['/sendMessage', 'recipient not a public key', () => ({ message: { recipient: '02abcd', messageBox: 'b', body: 'x' } }), 400, 'ERR_INVALID_RECIPIENT_KEY'],
  ['/sendMessage', 'the same recipient twice', () => { const k = key(); return { message: { recipients: [k, k], messageBox: 'b', body: 'x' } } }, 400, 'ERR_DUPLICATE_RECIPIENT'],
  ['/sendMessage', '101 recipients', () => ({ message: { recipients: Array.from({ length: 101 }, key), messageBox: 'b', body: 'x' } }), 400, 'ERR_TOO_MANY_RECIPIENTS'],
  ['/sendMessage', 'without messageBox', () => ({ message: { recipient: key(), body: 'x' } }), 400, 'ERR_MESSAGEBOX_REQUIRED'],
  ['/sendMessage', 'messageBox a number', () => ({ message: { recipient: key(), messageBox: 5, body: 'x' } }), 400, 'ERR_INVALID_MESSAGEBOX'],
  ['/sendMessage', 'messageBox with leading whitespace', () => ({ message: { recipient: key(), messageBox: ' padded', body: 'x' } }), 400, 'ERR_INVALID_MESSAGEBOX'],
  ['/sendMessage', 'messageBox of 129 bytes', () => ({ message: { recipient: key(), messageBox: 'x'.repeat(129), body: 'x' } }), 400, 'ERR_MESSAGEBOX_TOO_LARGE'],
  ['/sendMessage', 'without body', () => ({ message: { recipient: key(), messageBox: 'b' } }), 400, 'ERR_MESSAGE_BODY_REQUIRED'],
  ['/sendMessage', 'body a number', () => ({ message: { recipient: key(), messageBox: 'b', body: 12 } }), 400, 'ERR_INVALID_MESSAGE_BODY'],
  ['/sendMessage', 'empty messageId', () => ({ message: { recipient: key(), messageBox: 'b', body: 'x', messageId: '' } }), 400, 'ERR_INVALID_MESSAGEID'],
  ['/sendMessage', 'two ids for one recipient', () => ({ message: { recipient: key(), messageBox: 'b', body: 'x', messageId: ['a', 'b'] } }), 400, 'ERR_MESSAGEID_COUNT_MISMATCH'],
  ['/sendMessage', 'body one byte over 1 MiB', () => ({ message: { recipient: key(), messageBox: 'b', body: 'x'.repeat(1024 * 1024 + 1), messageId: 'big' } }), 413, 'ERR_MESSAGE_BODY_TOO_LARGE'],
  ['/listMessages', 'without messageBox', () => ({}), 400, 'ERR_MESSAGEBOX_REQUIRED'],
  ['/listMessages', 'messageBox a number', () => ({ messageBox: 3 }), 400, 'ERR_INVALID_MESSAGEBOX'],
  ['/listMessages', 'limit 0', () => ({ messageBox: 'b', limit: 0 }), 400, 'ERR_INVALID_LIMIT'],
  ['/listMessages', 'negative offset', () => ({ messageBox: 'b', offset: -1 }), 400, 'ERR_INVALID_OFFSET'],
  ['/listMessages', 'waitSeconds 999', () => ({ messageBox: 'b', waitSeconds: 999 }), 400, 'ERR_INVALID_WAIT'],
  ['/acknowledgeMessage', 'without messageIds', () => ({}), 400, 'ERR_MESSAGE_ID_REQUIRED'],
  ['/acknowledgeMessage', 'empty messageIds', () => ({ messageIds: [] }), 400, 'ERR_MESSAGE_ID_REQUIRED'],
  ['/acknowledgeMessage', 'messageIds a string', () => ({ messageIds: 'id' }), 400, 'ERR_INVALID_MESSAGE_ID'],
  ['/acknowledgeMessage', '1001 ids', () => ({ messageIds: Array.from({ length: 1001 }, (_, i) => `i${i}`) }), 400, 'ERR_TOO_MANY_MESSAGE_IDS'],
  ['/acknowledgeMessage', 'an id never sent', () => ({ messageIds: ['never-sent'] }), 400, 'ERR_INVALID_ACKNOWLEDGMENT']
]
let sharedAuthFetch
for (const [path, label, body, status, code] of invalid) {
  test(`authfetch: ${path} ${label} → signed ${status} ${code}`, async () => {
    sharedAuthFetch ??= authFetchUser()
    const res = await sharedAuthFetch.post(path, body())
    assert.deepEqual([res.status, res.json.status, res.json.code], [status, 'error', code], JSON.stringify(res.json).slice(0, 300))
    assert.ok(typeof res.json.description === 'string' && res.json.description.length > 0)
  })
}

test('authrite-js: every validation rule → a signed 4xx JSON error the client can read', async () => {
  const user = authriteUser()
  for (const [path, label, body, status, code] of invalid) {
    const res = await user.post(path, body())
    assert.deepEqual([res.status, res.json.code], [status, code], `${path} ${label}: ${JSON.stringify(res.json).slice(0, 300)}`)
  }
})

test('attack: an unauthenticated request is refused (401) and stores nothing', async () => {
  const bob = authFetchUser(); const b = box()
  const res = await realFetch(base + '/sendMessage', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: json({ message: { recipient: bob.identity, messageBox: b, body: 'anon' } }) })
  assert.equal(res.status, 401)
  assert.equal((await res.json()).status, 'error')
  assert.deepEqual(await list(bob, b), [])
})

async function withTamper (fn, user, action) {
  tamper = (url, init) => realFetch(url, String(url).includes('/.well-known/auth') ? init : fn(init))
  try { return await action(user) } catch (err) { return { thrown: String(err.message ?? err) } } finally { tamper = null }
}

test('attack: a forged signature is refused and stores nothing', async () => {
  const alice = authFetchUser(); const bob = authFetchUser(); const b = box()
  const result = await withTamper(init => {
    const sig = init.headers['x-bsv-auth-signature']
    return { ...init, headers: { ...init.headers, 'x-bsv-auth-signature': sig.slice(0, -4) + (sig.endsWith('0000') ? '1111' : '0000') } }
  }, alice, u => send(u, bob.identity, b, 'forged', 'f1'))
  assert.ok(result.thrown || result.status >= 400, `forged request accepted: ${JSON.stringify(result)}`)
  assert.deepEqual(await list(bob, b), [])
})

test('attack: a body altered in flight is refused and stores nothing', async () => {
  const alice = authFetchUser(); const bob = authFetchUser(); const b = box()
  const result = await withTamper(init => ({ ...init, body: init.body.replace('original', 'tampered') }),
    alice, u => send(u, bob.identity, b, 'original', 't1'))
  assert.ok(result.thrown || result.status >= 400, `altered request accepted: ${JSON.stringify(result)}`)
  assert.deepEqual(await list(bob, b), [])
})

test('attack: an identity header naming another key (with a valid session of its own) is refused: nothing leaks, is stored or deleted', async () => {
  const alice = authFetchUser(); const bob = authFetchUser(); const mallory = authFetchUser(); const b = box()
  await ok(send(alice, bob.identity, b, 'bob private', 'v1'), 'send')
  const asBob = init => ({ ...init, headers: { ...init.headers, 'x-bsv-auth-identity-key': bob.identity } })
  const read = await withTamper(asBob, mallory, u => u.post('/listMessages', { messageBox: b }))
  const ack = await withTamper(asBob, mallory, u => u.post('/acknowledgeMessage', { messageIds: ['v1'] }))
  const forge = await withTamper(asBob, mallory, u => send(u, alice.identity, b, 'signed bob', 'v2'))
  for (const r of [read, ack, forge]) {
    assert.ok(r.thrown || r.status >= 400, `impersonation accepted: ${JSON.stringify(r).slice(0, 300)}`)
    assert.ok(!JSON.stringify(r).includes('bob private'), 'bob\'s message leaked')
  }
  assert.equal((await list(bob, b)).length, 1, 'bob\'s message was deleted')
  assert.deepEqual(await list(alice, b), [], 'a message was stored')
})

test('200 messages are listed complete and in send order', async () => {
  const alice = authFetchUser(); const bob = authFetchUser(); const b = box()
  for (let i = 0; i < 200; i++) await ok(send(alice, bob.identity, b, `m${i}`, `id-${(i * 7919) % 1000}-${i}`), `send ${i}`)
  const listed = await list(bob, b)
  assert.deepEqual(listed.map(m => m.body), Array.from({ length: 200 }, (_, i) => `m${i}`))
  const acked = await ok(bob.post('/acknowledgeMessage', { messageIds: listed.map(m => m.messageId) }), 'acknowledge all')
  assert.equal(acked.acknowledged, 200)
})

test('8 concurrent senders × 25 messages into a new box lose nothing', async () => {
  const bob = authFetchUser(); const b = box()
  await Promise.all(Array.from({ length: 8 }, async (_, s) => {
    const sender = authFetchUser()
    for (let i = 0; i < 25; i++) await ok(send(sender, bob.identity, b, `${s}/${i}`, `c-${s}-${i}`), `send ${s}/${i}`)
  }))
  const listed = await list(bob, b)
  assert.equal(new Set(listed.map(m => m.messageId)).size, 200)
  await ok(bob.post('/acknowledgeMessage', { messageIds: listed.map(m => m.messageId) }), 'cleanup')
})

test('a duplicate resend is not stored twice', async () => {
  const alice = authFetchUser(); const bob = authFetchUser(); const b = box()
  await ok(send(alice, bob.identity, b, 'once', 'dup-1'), 'first send')
  await ok(send(alice, bob.identity, b, 'once', 'dup-1'), 'resend')
  const listed = await list(bob, b)
  assert.equal(listed.length, 1)
})

test('long-poll: a list with waitSeconds returns as soon as another client sends', async () => {
  const alice = authFetchUser(); const bob = authFetchUser(); const b = box()
  await list(bob, b)
  const started = Date.now()
  const waiting = bob.post('/listMessages', { messageBox: b, waitSeconds: 20 })
  await new Promise(resolve => setTimeout(resolve, 500))
  await ok(send(alice, bob.identity, b, 'wake', 'lp-1'), 'send')
  const { status, json: res } = await waiting
  const elapsed = Date.now() - started
  assert.equal(status, 200)
  assert.deepEqual(res.messages.map(m => m.body), ['wake'])
  assert.ok(elapsed < 10000, `the list returned only after ${elapsed} ms`)
})

registerLiveCases(test, { base, MessageBoxClient, ProtoWallet, PrivateKey, AuthSocketClient, io, list, authFetchUserFor })
registerPermissionCases(test, { base, MessageBoxClient, PeerPayClient, ProtoWallet, PrivateKey, list, authFetchUserFor, authFetchUser })

if (process.argv[2] === '--list') {
  for (const c of cases) emit(c.name)
  process.exit(0)
}

for (const c of cases) {
  const started = Date.now()
  try {
    await c.fn()
    emit(JSON.stringify({ case: c.name, ok: true, ms: Date.now() - started }))
  } catch (err) {
    emit(JSON.stringify({ case: c.name, ok: false, ms: Date.now() - started, error: String(err?.stack ?? err).slice(0, 2000) }))
  }
}
