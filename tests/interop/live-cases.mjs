// Live delivery cases of the interop suite: the real @bsv/message-box-client 2.1.1 (listenForLiveMessages,
// sendLiveMessage, joinRoom, leaveRoom) and its @bsv/authsocket-client over Socket.IO + BRC-103, against one relay
// base URL (the standalone host, or the gateway of the distributed stack with its live replicas).
import { randomBytes } from 'node:crypto'
import assert from 'node:assert/strict'

export function registerLiveCases (test, { base, MessageBoxClient, ProtoWallet, PrivateKey, AuthSocketClient, io, list, authFetchUserFor }) {
  const box = (prefix = 'live') => `${prefix}_${randomBytes(5).toString('hex')}`
  const sleep = (ms) => new Promise(resolve => setTimeout(resolve, ms))
  const user = () => {
    const key = PrivateKey.fromRandom()
    const client = new MessageBoxClient({ host: base, walletClient: new ProtoWallet(key), enableLogging: false })
    return { key, identity: key.toPublicKey().toString(), client }
  }
  const closeAll = async (...users) => { for (const u of users) await u.client.disconnectWebSocket().catch(() => {}) }

  // Resolves with the first message onMessage receives that satisfies `match`, or rejects after `ms`.
  const inbox = () => {
    const received = []
    const waiters = []
    return {
      received,
      onMessage: (m) => { received.push(m); for (const w of [...waiters]) if (w.match(m)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m) } },
      next: (match, ms = 10000) => {
        const found = received.find(match)
        if (found) return Promise.resolve(found)
        return new Promise((resolve, reject) => {
          const w = { match, resolve }
          waiters.push(w)
          setTimeout(() => { const i = waiters.indexOf(w); if (i >= 0) { waiters.splice(i, 1); reject(new Error(`no live message within ${ms} ms; got ${JSON.stringify(received.map(r => r.body))}`)) } }, ms)
        })
      }
    }
  }

  test('live: an HTTP send is pushed to the recipient listening live (decrypted, from the sender)', async () => {
    const alice = user(); const bob = user(); const b = box(); const got = inbox()
    try {
      await bob.client.listenForLiveMessages({ messageBox: b, onMessage: got.onMessage })
      const sent = await alice.client.sendMessage({ recipient: bob.identity, messageBox: b, body: 'pushed over http 🌍' }, base)
      assert.equal(sent.status, 'success')
      const m = await got.next(m => m.body === 'pushed over http 🌍')
      assert.equal(m.sender, alice.identity)
      assert.equal(m.messageId, sent.messageId)
    } finally { await closeAll(alice, bob) }
  })

  test('live: a socket send is acked only once stored — listed at once afterwards — and delivered live', async () => {
    const alice = user(); const bob = user(); const b = box(); const got = inbox()
    try {
      await bob.client.listenForLiveMessages({ messageBox: b, onMessage: got.onMessage })
      const ack = await alice.client.sendLiveMessage({ recipient: bob.identity, messageBox: b, body: 'over the socket' })
      assert.equal(ack.status, 'success', JSON.stringify(ack))
      assert.match(ack.messageId, /^[0-9a-f]{64}$/)
      const listed = await list({ post: authFetchUserFor(bob.key) }, b)
      assert.deepEqual(listed.map(m => m.messageId), [ack.messageId], 'the acked message is in the store when the ack arrives')
      const m = await got.next(m => m.messageId === ack.messageId)
      assert.equal(m.body, 'over the socket')
      assert.equal(m.sender, alice.identity)
    } finally { await closeAll(alice, bob) }
  })

  test('live: listeners spread over the live replicas all get their messages, sent over HTTP and over sockets', async () => {
    const alice = user(); const b = box()
    const listeners = Array.from({ length: 4 }, () => ({ ...user(), got: inbox() }))
    try {
      for (const l of listeners) await l.client.listenForLiveMessages({ messageBox: b, onMessage: l.got.onMessage })
      for (const [i, l] of listeners.entries()) {
        await alice.client.sendMessage({ recipient: l.identity, messageBox: b, body: `http ${i}` }, base)
        const ack = await alice.client.sendLiveMessage({ recipient: l.identity, messageBox: b, body: `socket ${i}` })
        assert.equal(ack.status, 'success', JSON.stringify(ack))
      }
      for (const [i, l] of listeners.entries()) {
        await l.got.next(m => m.body === `http ${i}`)
        await l.got.next(m => m.body === `socket ${i}`)
      }
    } finally { await closeAll(alice, ...listeners) }
  })

  test('live: after disconnecting and listening again (the client sends no joinRoom then), messages still arrive', async () => {
    const alice = user(); const bob = user(); const b = box(); const got = inbox()
    try {
      await bob.client.listenForLiveMessages({ messageBox: b, onMessage: got.onMessage })
      await bob.client.disconnectWebSocket()
      await sleep(200)
      await bob.client.listenForLiveMessages({ messageBox: b, onMessage: got.onMessage })
      const sent = await alice.client.sendMessage({ recipient: bob.identity, messageBox: b, body: 'after reconnect' }, base)
      assert.equal(sent.status, 'success')
      await got.next(m => m.body === 'after reconnect')
    } finally { await closeAll(alice, bob) }
  })

  test("live: joining another identity's room is refused, and a third identity never sees another's messages or acks", async () => {
    const alice = user(); const bob = user(); const carol = user(); const b = box(); const got = inbox()
    try {
      await bob.client.listenForLiveMessages({ messageBox: b, onMessage: got.onMessage })
      await carol.client.listenForLiveMessages({ messageBox: b, onMessage: () => {} })
      const socket = carol.client.testSocket
      const seen = []
      for (const e of [`sendMessage-${bob.identity}-${b}`, `sendMessageAck-${bob.identity}-${b}`]) socket.on(e, (d) => seen.push([e, d]))
      const failed = new Promise(resolve => socket.on('joinFailed', resolve))
      socket.emit('joinRoom', `${bob.identity}-${b}`)
      const refusal = await Promise.race([failed, sleep(5000).then(() => null)])
      assert.ok(refusal, 'joinFailed was not received')
      assert.equal(refusal.roomId, `${bob.identity}-${b}`)
      const ack = await alice.client.sendLiveMessage({ recipient: bob.identity, messageBox: b, body: 'for bob only' })
      assert.equal(ack.status, 'success')
      await alice.client.sendMessage({ recipient: bob.identity, messageBox: b, body: 'for bob only, http' }, base)
      await got.next(m => m.body === 'for bob only, http')
      await sleep(500)
      assert.deepEqual(seen, [], 'carol received events of bob\'s room')
    } finally { await closeAll(alice, bob, carol) }
  })

  test('live: a socket claiming another identity is refused (authenticated with a foreign key, general messages naming a foreign key)', async () => {
    const alice = user(); const eveKey = PrivateKey.fromRandom(); const b = box(); const got = inbox()
    try {
      await alice.client.listenForLiveMessages({ messageBox: b, onMessage: got.onMessage })
      // Eve's own session, but she says she is alice in the 'authenticated' event.
      const claim = AuthSocketClient(base, { wallet: new ProtoWallet(eveKey) })
      const answer = new Promise(resolve => { claim.on('authenticationFailed', d => resolve(['failed', d])); claim.on('authenticationSuccess', d => resolve(['success', d])) })
      claim.on('connect', () => claim.emit('authenticated', { identityKey: alice.identity }))
      const [outcome, data] = await Promise.race([answer, sleep(8000).then(() => ['timeout'])])
      assert.equal(outcome, 'failed', `claiming alice's key was answered ${outcome} ${JSON.stringify(data)}`)
      claim.disconnect()
      // Eve signs with her key but names alice's key in every BRC-103 message.
      const forged = AuthSocketClient(base, { wallet: new ProtoWallet(eveKey) })
      const realEmit = forged.ioSocket.emit.bind(forged.ioSocket)
      forged.ioSocket.emit = (event, message, ...rest) => realEmit(event, event === 'authMessage' && message?.messageType === 'general' ? { ...message, identityKey: alice.identity } : message, ...rest)
      const reply = new Promise(resolve => { forged.on('authenticationSuccess', d => resolve(['success', d])); forged.ioSocket.on('disconnect', r => resolve(['disconnected', r])) })
      forged.on('connect', () => forged.emit('authenticated', { identityKey: alice.identity }))
      const [forgedOutcome] = await Promise.race([reply, sleep(8000).then(() => ['timeout'])])
      assert.equal(forgedOutcome, 'disconnected', 'a general message naming a key other than its session key was accepted')
      forged.emit('sendMessage', { roomId: `${alice.identity}-${b}`, message: { messageId: 'x', recipient: alice.identity, body: 'forged' } })
      forged.disconnect()
      await sleep(500)
      assert.deepEqual(got.received, [], 'alice received something from the forged sockets')
    } finally { await closeAll(alice) }
  })

  test('live: malformed frames close only their own connection; the relay and other sockets carry on', async () => {
    const alice = user(); const bob = user(); const b = box(); const got = inbox()
    try {
      await bob.client.listenForLiveMessages({ messageBox: b, onMessage: got.onMessage })
      const junk = [
        (s) => s.emit('authMessage', { version: '9.9' }),
        (s) => s.emit('authMessage', 'not an object'),
        (s) => s.emit('authMessage', { version: '0.1', messageType: 'general', payload: 'x', signature: 'y' }),
        (s) => s.emit('authMessage', { version: '0.1', messageType: 'initialRequest', identityKey: 'zz', initialNonce: '!!' }),
        (s) => s.io.engine.write('2["authMessage",{"version":"0.1",'),
        (s) => s.io.engine.write('9garbage')
      ]
      for (const send of junk) {
        const s = io(base, { transports: ['websocket'], reconnection: false })
        await new Promise((resolve, reject) => { s.on('connect', resolve); s.on('connect_error', reject) })
        const closed = new Promise(resolve => s.on('disconnect', resolve))
        send(s)
        await Promise.race([closed, sleep(3000)])
        s.close()
      }
      const sent = await alice.client.sendMessage({ recipient: bob.identity, messageBox: b, body: 'still alive' }, base)
      assert.equal(sent.status, 'success')
      await got.next(m => m.body === 'still alive')
    } finally { await closeAll(alice, bob) }
  })

  test('live: leaveRoom stops delivery of that box to that client; joinRoom brings it back', async () => {
    const alice = user(); const bob = user(); const b = box(); const got = inbox()
    try {
      await bob.client.listenForLiveMessages({ messageBox: b, onMessage: got.onMessage })
      // The client does not wait for the relay's answers; the case does, so that no send overtakes the leave.
      const left = new Promise(resolve => bob.client.testSocket.on('leftRoom', resolve))
      await bob.client.leaveRoom(b)
      assert.ok(await Promise.race([left, sleep(8000).then(() => null)]), 'leftRoom was not received')
      await alice.client.sendMessage({ recipient: bob.identity, messageBox: b, body: 'while away' }, base)
      await sleep(1000)
      assert.deepEqual(got.received.map(m => m.body), [], 'a message was delivered after leaveRoom')
      const joined = new Promise(resolve => bob.client.testSocket.on('joinedRoom', d => { if (d?.roomId === `${bob.identity}-${b}`) resolve(d) }))
      await bob.client.joinRoom(b)
      assert.ok(await Promise.race([joined, sleep(8000).then(() => null)]), 'joinedRoom was not received')
      await alice.client.sendMessage({ recipient: bob.identity, messageBox: b, body: 'back again' }, base)
      await got.next(m => m.body === 'back again')
      const listed = await list({ post: authFetchUserFor(bob.key) }, b)
      assert.equal(listed.length, 2, 'both messages are stored whatever was delivered live')
    } finally { await closeAll(alice, bob) }
  })

  test("live: box names with '-' (payment-inbox) work for listening, socket sends and HTTP sends", async () => {
    const alice = user(); const bob = user(); const b = box('payment-inbox-x'); const got = inbox()
    try {
      await bob.client.listenForLiveMessages({ messageBox: b, onMessage: got.onMessage })
      const ack = await alice.client.sendLiveMessage({ recipient: bob.identity, messageBox: b, body: 'dash box socket' })
      assert.equal(ack.status, 'success', JSON.stringify(ack))
      await alice.client.sendMessage({ recipient: bob.identity, messageBox: b, body: 'dash box http' }, base)
      await got.next(m => m.body === 'dash box socket')
      await got.next(m => m.body === 'dash box http')
      const listed = await list({ post: authFetchUserFor(bob.key) }, b)
      assert.equal(listed.length, 2, `both messages are stored in "${b}"`)
      assert.ok(listed.some(m => m.messageId === ack.messageId), 'the socket send is stored under its box')
    } finally { await closeAll(alice, bob) }
  })
}
