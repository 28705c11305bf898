namespace PeerServ.Auth.Client;

/// <summary>Content that was read once (to sign or verify it) and can be read again, with its original headers.</summary>
internal static class BufferedContent
{
    public static ByteArrayContent From(byte[] bytes, HttpContent? original)
    {
        var copy = new ByteArrayContent(bytes);
        if (original is not null)
        {
            foreach (var header in original.Headers)
            {
                copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        return copy;
    }
}
