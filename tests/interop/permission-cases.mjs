// Permission, quote, notification and device cases of the interop suite: the real @bsv/message-box-client 2.1.1
// (MessageBoxClient and PeerPayClient) against one relay base URL (the standalone host, or the gateway of the
// distributed stack with its permissions service). Every call names the relay as its host: the client would
// otherwise look the recipient's host up on the overlay network.
import { randomBytes } from 'node:crypto'
import assert from 'node:assert/strict'

export function registerPermissionCases (test, { base, MessageBoxClient, PeerPayClient, ProtoWallet, PrivateKey, list, authFetchUserFor, authFetchUser }) {
  const box = (prefix = 'perm') => `${prefix}_${randomBytes(5).toString('hex')}`
  const user = () => {
    const key = PrivateKey.fromRandom()
    const wallet = new ProtoWallet(key)
    return {
      key,
      identity: key.toPublicKey().toString(),
      client: new MessageBoxClient({ host: base, walletClient: wallet, enableLogging: false }),
      peerPay: () => new PeerPayClient({ messageBoxHost: base, walletClient: wallet, enableLogging: false })
    }
  }
  const rejects = async (promise, pattern, what) => {
    let error
    try { await promise } catch (err) { error = err }
    assert.ok(error, `${what}: expected the client to throw`)
    assert.match(String(error.message ?? error), pattern, `${what}: ${error.message}`)
  }
  const isKey = (value) => typeof value === 'string' && /^0[23][0-9a-f]{64}$/.test(value)

  test('permissions: set → get → list round trip with the fields the client maps; setting again replaces', async () => {
    const bob = user(); const alice = user(); const b = box()
    await bob.client.setMessageBoxPermission({ messageBox: b, sender: alice.identity, recipientFee: 5 }, base)
    await bob.client.setMessageBoxPermission({ messageBox: b, recipientFee: 0 }, base)
    await bob.client.setMessageBoxPermission({ messageBox: b, recipientFee: -1 }, base)

    const got = await bob.client.getMessageBoxPermission({ recipient: bob.identity, messageBox: b, sender: alice.identity }, base)
    assert.deepEqual([got.sender, got.messageBox, got.recipientFee, got.status], [alice.identity, b, 5, 'payment_required'])
    assert.ok(!Number.isNaN(Date.parse(got.createdAt)) && !Number.isNaN(Date.parse(got.updatedAt)), JSON.stringify(got))
    const boxWide = await bob.client.getMessageBoxPermission({ recipient: bob.identity, messageBox: b }, base)
    assert.deepEqual([boxWide.sender, boxWide.recipientFee, boxWide.status], [null, -1, 'blocked'])
    assert.equal(await bob.client.getMessageBoxPermission({ recipient: bob.identity, messageBox: box() }, base), null)

    const listed = await bob.client.listMessageBoxPermissions({ messageBox: b }, base)
    assert.equal(listed.length, 2, `the box-wide rule was set twice and must be one row: ${JSON.stringify(listed)}`)
    const bySender = Object.fromEntries(listed.map(p => [p.sender ?? '(box)', p]))
    assert.deepEqual([bySender[alice.identity].messageBox, bySender[alice.identity].recipientFee, bySender[alice.identity].status], [b, 5, 'payment_required'])
    assert.deepEqual([bySender['(box)'].messageBox, bySender['(box)'].recipientFee, bySender['(box)'].status], [b, -1, 'blocked'])
    for (const p of listed) assert.ok(p.createdAt && p.updatedAt, `list row without timestamps: ${JSON.stringify(p)}`)
    const paged = await bob.client.listMessageBoxPermissions({ messageBox: b, limit: 1, offset: 1 }, base)
    assert.equal(paged.length, 1)
  })

  test('notifications: allow / deny / checkPeerNotificationStatus / listPeerNotifications', async () => {
    const bob = user(); const alice = user(); const carol = user()
    await bob.client.allowNotificationsFromPeer(alice.identity, 0, base)
    await bob.client.denyNotificationsFromPeer(carol.identity, base)
    const aliceStatus = await bob.client.checkPeerNotificationStatus(alice.identity, base)
    const carolStatus = await bob.client.checkPeerNotificationStatus(carol.identity, base)
    assert.deepEqual([aliceStatus.recipientFee, aliceStatus.status, aliceStatus.messageBox], [0, 'always_allow', 'notifications'])
    assert.deepEqual([carolStatus.recipientFee, carolStatus.status], [-1, 'blocked'])
    await bob.client.allowNotificationsFromPeer(carol.identity, 7, base)
    const peers = await bob.client.listPeerNotifications(base)
    assert.deepEqual(peers.map(p => [p.sender, p.recipientFee, p.status]).sort(),
      [[alice.identity, 0, 'always_allow'], [carol.identity, 7, 'payment_required']].sort())
  })

  test('notifications: sendNotification (which quotes first) is delivered when fees are 0', async () => {
    const bob = user(); const alice = user()
    const sent = await alice.client.sendNotification(bob.identity, 'you have mail 📬', base)
    assert.equal(sent.status, 'success', JSON.stringify(sent))
    const listed = await bob.client.listMessages({ messageBox: 'notifications', host: base })
    assert.deepEqual(listed.map(m => [m.body, m.sender, m.messageId]), [['you have mail 📬', alice.identity, sent.messageId]])
  })

  test('enforcement: a blocked sender is refused (403 ERR_DELIVERY_BLOCKED) and nothing is stored; sendNotification refuses before sending', async () => {
    const bob = user(); const alice = user(); const carol = user(); const b = box()
    await bob.client.setMessageBoxPermission({ messageBox: b, sender: alice.identity, recipientFee: -1 }, base)
    await bob.client.denyNotificationsFromPeer(alice.identity, base)
    await rejects(alice.client.sendMessage({ recipient: bob.identity, messageBox: b, body: 'let me in' }, base), /403/, 'sendMessage to a blocker')
    await rejects(alice.client.sendNotification(bob.identity, 'ping', base), /blocked/, 'sendNotification to a blocker')
    const raw = authFetchUserFor(alice.key)
    const both = await raw('/sendMessage', { message: { recipients: [carol.identity, bob.identity], messageBox: b, body: 'x', messageId: ['e1', 'e2'] } })
    assert.deepEqual([both.status, both.json.code], [403, 'ERR_DELIVERY_BLOCKED'], JSON.stringify(both.json))
    assert.deepEqual(await list({ post: authFetchUserFor(bob.key) }, b), [])
    assert.deepEqual(await list({ post: authFetchUserFor(carol.key) }, b), [], 'the unblocked recipient of a refused send got it')
    assert.deepEqual(await list({ post: authFetchUserFor(bob.key) }, 'notifications'), [])
    const other = await carol.client.sendMessage({ recipient: bob.identity, messageBox: b, body: 'allowed' }, base)
    assert.equal(other.status, 'success', 'another sender is not blocked')
  })

  test('enforcement: a socket send from a blocked sender gets an error ack ERR_DELIVERY_BLOCKED, its HTTP fallback a 403, and nothing is stored', async () => {
    const bob = user(); const alice = user(); const b = box()
    try {
      await bob.client.setMessageBoxPermission({ messageBox: b, sender: alice.identity, recipientFee: -1 }, base)
      await alice.client.joinRoom(b)
      const acks = []
      alice.client.testSocket.on(`sendMessageAck-${bob.identity}-${b}`, (ack) => acks.push(ack))
      await rejects(alice.client.sendLiveMessage({ recipient: bob.identity, messageBox: b, body: 'over the socket' }, base), /403/, 'the HTTP fallback of a refused socket send')
      assert.deepEqual(acks.map(a => [a.status, a.code]), [['error', 'ERR_DELIVERY_BLOCKED']], JSON.stringify(acks))
      assert.deepEqual(await list({ post: authFetchUserFor(bob.key) }, b), [])
    } finally { await alice.client.disconnectWebSocket().catch(() => {}) }
  })

  test('quotes: one recipient (with the delivery agent key) and several (quotesByRecipient, totals, blockedRecipients)', async () => {
    const alice = user(); const bob = user(); const carol = user(); const dave = user(); const b = box()
    await bob.client.setMessageBoxPermission({ messageBox: b, sender: alice.identity, recipientFee: -1 }, base)
    await carol.client.setMessageBoxPermission({ messageBox: b, recipientFee: 3 }, base)

    const single = await alice.client.getMessageBoxQuote({ recipient: dave.identity, messageBox: b }, base)
    assert.deepEqual([single.recipientFee, single.deliveryFee], [0, 0])
    assert.ok(isKey(single.deliveryAgentIdentityKey), `delivery agent key: ${single.deliveryAgentIdentityKey}`)
    const blocked = await alice.client.getMessageBoxQuote({ recipient: bob.identity, messageBox: b }, base)
    assert.equal(blocked.recipientFee, -1)

    const multi = await alice.client.getMessageBoxQuote({ recipient: [bob.identity, carol.identity, dave.identity], messageBox: b }, base)
    const byRecipient = Object.fromEntries(multi.quotesByRecipient.map(q => [q.recipient, q]))
    assert.deepEqual([byRecipient[bob.identity].recipientFee, byRecipient[bob.identity].status], [-1, 'blocked'])
    assert.deepEqual([byRecipient[carol.identity].recipientFee, byRecipient[carol.identity].status], [3, 'payment_required'])
    assert.deepEqual([byRecipient[dave.identity].recipientFee, byRecipient[dave.identity].status], [0, 'always_allow'])
    assert.deepEqual(multi.blockedRecipients, [bob.identity])
    assert.deepEqual(multi.totals, { deliveryFees: 0, recipientFees: 3, totalForPayableRecipients: 3 })
    assert.equal(multi.deliveryAgentIdentityKeyByHost[base], single.deliveryAgentIdentityKey)
  })

  test('PeerPay: allow / block payment requests, listPaymentRequestPermissions shows the blocked one as not allowed, requests are enforced', async () => {
    const bob = user(); const alice = user(); const carol = user()
    const bobPay = bob.peerPay()
    await bobPay.blockPaymentRequestsFrom({ identityKey: alice.identity })
    await bobPay.allowPaymentRequestsFrom({ identityKey: carol.identity })
    const permissions = await bobPay.listPaymentRequestPermissions()
    assert.deepEqual(permissions.map(p => [p.identityKey, p.allowed]).sort(), [[alice.identity, false], [carol.identity, true]].sort())

    const request = { recipient: bob.identity, amount: 5000, description: 'lunch', expiresAt: Date.now() + 3600_000 }
    await rejects(alice.peerPay().requestPayment(request, base), /blocked/, 'a payment request from a blocked identity')
    const { requestId } = await carol.peerPay().requestPayment(request, base)
    const incoming = await bobPay.listIncomingPaymentRequests(base)
    assert.deepEqual(incoming.map(r => [r.sender, r.requestId, r.amount]), [[carol.identity, requestId, 5000]])
  })

  test('isolation: an identity never reads another\'s rules, and setting rules only ever changes its own', async () => {
    const bob = user(); const alice = user(); const mallory = user(); const b = box()
    await bob.client.setMessageBoxPermission({ messageBox: b, sender: alice.identity, recipientFee: -1 }, base)
    await rejects(mallory.client.getMessageBoxPermission({ recipient: bob.identity, messageBox: b, sender: alice.identity }, base), /403/, 'reading another recipient\'s rule')
    await mallory.client.setMessageBoxPermission({ messageBox: b, sender: alice.identity, recipientFee: 0 }, base)

    const bobs = await bob.client.listMessageBoxPermissions({ messageBox: b }, base)
    assert.deepEqual(bobs.map(p => [p.sender, p.recipientFee]), [[alice.identity, -1]], 'mallory changed bob\'s rule')
    const mallorys = await mallory.client.listMessageBoxPermissions({ messageBox: b }, base)
    assert.deepEqual(mallorys.map(p => [p.sender, p.recipientFee]), [[alice.identity, 0]])
    await rejects(alice.client.sendMessage({ recipient: bob.identity, messageBox: b, body: 'still blocked' }, base), /403/, 'bob\'s block after mallory\'s set')
  })

  test('devices: registerDevice → listRegisteredDevices round trip, tokens truncated, the same id on re-registering, isolation', async () => {
    const bob = user(); const alice = user()
    const token = `fcm_${randomBytes(60).toString('hex')}`
    const first = await bob.client.registerDevice({ fcmToken: token, platform: 'ios', deviceId: 'iPhone15Pro' }, base)
    assert.equal(first.status, 'success', JSON.stringify(first))
    assert.ok(Number.isSafeInteger(first.deviceId), `deviceId: ${first.deviceId}`)
    const again = await bob.client.registerDevice({ fcmToken: token, platform: 'ios', deviceId: 'iPhone15Pro' }, base)
    assert.equal(again.deviceId, first.deviceId)
    await bob.client.registerDevice({ fcmToken: `fcm_${randomBytes(60).toString('hex')}`, platform: 'android' }, base)

    const devices = await bob.client.listRegisteredDevices(base)
    assert.equal(devices.length, 2, JSON.stringify(devices))
    const ios = devices.find(d => d.platform === 'ios')
    assert.equal(ios.deviceId, 'iPhone15Pro')
    assert.equal(ios.active, true)
    assert.ok(!JSON.stringify(devices).includes(token), 'a full token was listed')
    assert.ok(ios.fcmToken.length < token.length && token.endsWith(ios.fcmToken.replace(/^\.\.\./, '')), `truncated token: ${ios.fcmToken}`)
    assert.deepEqual(await alice.client.listRegisteredDevices(base), [])
  })

  const key = () => PrivateKey.fromRandom().toPublicKey().toString()
  const invalid = [
    ['POST', '/permissions/set', 'without a body', () => ({}), 400, 'ERR_INVALID_REQUEST'],
    ['POST', '/permissions/set', 'a fractional fee', () => ({ messageBox: 'b', recipientFee: 1.5 }), 400, 'ERR_INVALID_FEE_VALUE'],
    ['POST', '/permissions/set', 'a fee below -1', () => ({ messageBox: 'b', recipientFee: -2 }), 400, 'ERR_INVALID_FEE_VALUE'],
    ['POST', '/permissions/set', 'a fee over the maximum', () => ({ messageBox: 'b', recipientFee: 1e12 }), 400, 'ERR_INVALID_FEE_VALUE'],
    ['POST', '/permissions/set', 'a sender that is not a key', () => ({ messageBox: 'b', recipientFee: 0, sender: 'nope' }), 400, 'ERR_INVALID_PUBLIC_KEY'],
    ['GET', '/permissions/get', 'without messageBox', () => '', 400, 'ERR_MISSING_PARAMETERS'],
    ['GET', '/permissions/quote', 'without recipient', () => 'messageBox=b', 400, 'ERR_MISSING_PARAMETERS'],
    ['GET', '/permissions/quote', 'a recipient that is not a key', () => 'recipient=02ab&messageBox=b', 400, 'ERR_INVALID_PUBLIC_KEY'],
    ['GET', '/permissions/get', 'another recipient', () => `recipient=${key()}&messageBox=b`, 403, 'ERR_FOREIGN_PERMISSIONS'],
    ['POST', '/registerDevice', 'without fcmToken', () => ({ platform: 'ios' }), 400, 'ERR_INVALID_FCM_TOKEN'],
    ['POST', '/registerDevice', 'an unknown platform', () => ({ fcmToken: 't', platform: 'symbian' }), 400, 'ERR_INVALID_PLATFORM']
  ]
  test('bad inputs: every permission and device validation rule → a signed 4xx JSON error', async () => {
    const caller = authFetchUser()
    for (const [method, path, label, input, status, code] of invalid) {
      const res = method === 'GET' ? await caller.get(`${path}?${input()}`) : await caller.post(path, input())
      assert.deepEqual([res.status, res.json.status, res.json.code], [status, 'error', code], `${path} ${label}: ${JSON.stringify(res.json).slice(0, 300)}`)
      assert.ok(typeof res.json.description === 'string' && res.json.description.length > 0, `${path} ${label}: no description`)
    }
  })
}
