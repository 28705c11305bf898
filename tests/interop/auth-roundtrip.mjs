// Drives a PeerServ-style send → list → acknowledge → list round trip through a REAL client library:
//   node auth-roundtrip.mjs <baseUrl> brc104     (@bsv/sdk AuthFetch + ProtoWallet, BRC-103/104)
//   node auth-roundtrip.mjs <baseUrl> authrite   (authrite-js, BRC-31 Authrite 0.2)
// Prints one JSON line with what the server answered; exits non-zero on any client-side failure.
import { createRequire } from 'node:module'
import { randomBytes } from 'node:crypto'
import { AuthFetch, ProtoWallet, PrivateKey } from '@bsv/sdk'

const require = createRequire(import.meta.url)
const [baseUrl, protocol] = process.argv.slice(2)
const keyHex = randomBytes(32).toString('hex')
const identityKey = PrivateKey.fromHex(keyHex).toPublicKey().toString()

let post
if (protocol === 'brc104') {
  const client = new AuthFetch(new ProtoWallet(PrivateKey.fromHex(keyHex)))
  post = async (path, body) => {
    const res = await client.fetch(baseUrl + path, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body)
    })
    return { status: res.status, json: await res.json() }
  }
} else if (protocol === 'authrite') {
  const { Authrite } = require('authrite-js')
  const client = new Authrite({ clientPrivateKey: keyHex })
  post = async (path, body) => {
    const res = await client.request(baseUrl + path, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body)
    })
    return { status: res.status, json: await res.json() }
  }
} else {
  console.error(`unknown protocol ${protocol}`)
  process.exit(2)
}

const body = `héllo 🌍 ${protocol} "quoted" \\ ${Date.now()}`
const box = `inbox_${protocol}`
const sent = await post('/sendMessage', { message: { recipient: identityKey, messageBox: box, messageId: `id-${protocol}`, body } })
const listed = await post('/listMessages', { messageBox: box })
const acked = await post('/acknowledgeMessage', { messageIds: [`id-${protocol}`] })
const after = await post('/listMessages', { messageBox: box })
console.log(JSON.stringify({ identityKey, body, sent, listed, acked, after }))
