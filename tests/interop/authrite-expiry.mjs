// The real authrite-js (BRC-31) when its server nonce expires:
//   node authrite-expiry.mjs <baseUrl> <secondsToWait>
// request → wait past the server-nonce lifetime → request (refused) → getServerParameters (what authrite-js itself
// calls on first contact, to renew the server nonce) → request. Prints one JSON line with what each step saw.
import { createRequire } from 'node:module'
import { randomBytes } from 'node:crypto'

const require = createRequire(import.meta.url)
const { Authrite } = require('authrite-js')
const [baseUrl, waitSeconds] = process.argv.slice(2)
const client = new Authrite({ clientPrivateKey: randomBytes(32).toString('hex') })

const post = async (n) => {
  try {
    const res = await client.request(baseUrl + '/echo', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ n })
    })
    return { status: res.status, json: await res.json() }
  } catch (e) {
    return { error: e.code ?? String(e) }
  }
}

const before = await post(1)
const nonceBefore = client.servers[baseUrl].nonce
await new Promise(resolve => setTimeout(resolve, Number(waitSeconds) * 1000))
const expired = await post(2)
await client.getServerParameters(baseUrl)
const renewed = await post(3)
console.log(JSON.stringify({ before, expired, renewed, nonceRenewed: client.servers[baseUrl].nonce !== nonceBefore }))
