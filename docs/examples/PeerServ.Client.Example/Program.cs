// Two identities on one relay: Alice sends Bob an encrypted message; Bob gets it live and by listing, decrypted,
// and acknowledges it. Usage: dotnet run -- http://localhost:8080
using PeerServ.Auth.Crypto;
using PeerServ.Client;

var relay = new Uri(args.Length > 0 ? args[0] : "http://localhost:8080");
using var alice = PeerServClient.Create(relay, PrivateKey.Generate());
using var bob = PeerServClient.Create(relay, PrivateKey.Generate());

// Bob listens live (Socket.IO + BRC-103); messages arrive decrypted.
await using var live = await bob.ListenAsync();

// Encrypted for Bob as @bsv/message-box-client does it; the id is the one that client would compute.
var sent = await alice.SendAsync(bob.Identity.Hex, "inbox", "Hello Bob, from .NET");
Console.WriteLine($"sent {sent.MessageId}");

using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
await foreach (var message in live.ReadAllAsync(timeout.Token))
{
    Console.WriteLine($"live: {message.Sender[..8]}… wrote \"{message.Body}\" (encrypted: {message.WasEncrypted})");
    break;
}

// The same message by listing the box; nothing is deleted until it is acknowledged.
var page = await bob.ListAsync("inbox");
foreach (var message in page.Messages)
{
    Console.WriteLine($"listed: \"{message.Body}\" from {message.Sender[..8]}…");
}

var acknowledged = await bob.AcknowledgeAsync(page.Messages.Select(m => m.MessageId));
Console.WriteLine($"acknowledged {acknowledged}; the box now holds {(await bob.ListAsync("inbox")).Messages.Count}");

try
{
    await alice.AcknowledgeAsync(["no-such-message"]);
}
catch (PeerServClientException refused)
{
    // Every refusal carries the relay's status and code.
    Console.WriteLine($"refused: {(int)refused.Status} {refused.Code}");
}
