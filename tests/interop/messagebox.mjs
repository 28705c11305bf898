// The real @bsv/message-box-client 2.1.1 as the other side of PeerServ.Client's interop tests. One command per run,
// its answer as one JSON line on stdout (the client's own console chatter goes to stderr):
//   node messagebox.mjs send <base> <privateKeyHex> <recipient> <box> <body>       → {"messageId"}
//   node messagebox.mjs live-send <base> <privateKeyHex> <recipient> <box> <body>  → {"messageId","status"}
//   node messagebox.mjs list <base> <privateKeyHex> <box>                           → {"messages":[{messageId,sender,body}]}
//   node messagebox.mjs id <privateKeyHex> <recipient> <body>                       → {"messageId"} (what sendMessage would use)
const emit = (value) => process.stdout.write(JSON.stringify(value) + '\n')
console.log = (...args) => console.error(...args)
const { ProtoWallet, PrivateKey } = await import('@bsv/sdk')
const { MessageBoxClient } = await import('@bsv/message-box-client')

const [command, ...args] = process.argv.slice(2)
const client = (base, keyHex) => new MessageBoxClient({ host: base, walletClient: new ProtoWallet(PrivateKey.fromHex(keyHex)), enableLogging: false })

switch (command) {
  case 'send': {
    const [base, key, recipient, messageBox, body] = args
    const sent = await client(base, key).sendMessage({ recipient, messageBox, body }, base)
    emit({ messageId: sent.messageId })
    break
  }
  case 'live-send': {
    const [base, key, recipient, messageBox, body] = args
    const c = client(base, key)
    try {
      const ack = await c.sendLiveMessage({ recipient, messageBox, body }, base)
      emit({ messageId: ack.messageId, status: ack.status })
    } finally { await c.disconnectWebSocket().catch(() => {}) }
    break
  }
  case 'list': {
    const [base, key, messageBox] = args
    const messages = await client(base, key).listMessages({ messageBox, host: base })
    emit({ messages: messages.map(m => ({ messageId: m.messageId, sender: m.sender, body: m.body })) })
    break
  }
  case 'id': {
    const [key, recipient, body] = args
    const { hmac } = await new ProtoWallet(PrivateKey.fromHex(key)).createHmac({
      data: Array.from(new TextEncoder().encode(JSON.stringify(body))), protocolID: [1, 'messagebox'], keyID: '1', counterparty: recipient
    })
    emit({ messageId: Array.from(hmac).map(b => b.toString(16).padStart(2, '0')).join('') })
    break
  }
  default:
    console.error(`unknown command ${command}`)
    process.exit(2)
}
process.exit(0)
