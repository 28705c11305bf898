namespace PeerServ.Auth.Crypto;

/// <summary>BRC-43 invoice numbers, normalised and validated exactly as the current TS SDK's KeyDeriver does.</summary>
public static class InvoiceNumber
{
    private const string LinkageRevelationPrefix = "specific linkage revelation ";

    /// <summary>Builds "&lt;level&gt;-&lt;protocol&gt;-&lt;keyID&gt;"; throws <see cref="ArgumentException"/> with the SDK's message on bad input.</summary>
    public static string Compute(int securityLevel, string protocolName, string keyId)
    {
        ArgumentNullException.ThrowIfNull(protocolName);
        ArgumentNullException.ThrowIfNull(keyId);
        if (securityLevel is < 0 or > 2)
        {
            throw new ArgumentException("Protocol security level must be 0, 1, or 2");
        }

        if (keyId.Length > 800)
        {
            throw new ArgumentException("Key IDs must be 800 characters or less");
        }

        if (keyId.Length < 1)
        {
            throw new ArgumentException("Key IDs must be 1 character or more");
        }

        var name = protocolName.ToLowerInvariant().Trim();
        if (name.Length > 400)
        {
            if (!name.StartsWith(LinkageRevelationPrefix, StringComparison.Ordinal))
            {
                throw new ArgumentException("Protocol names must be 400 characters or less");
            }

            if (name.Length > 430)
            {
                throw new ArgumentException("Specific linkage revelation protocol names must be 430 characters or less");
            }
        }

        if (name.Length < 5)
        {
            throw new ArgumentException("Protocol names must be 5 characters or more");
        }

        if (name.Contains("  ", StringComparison.Ordinal))
        {
            throw new ArgumentException("Protocol names cannot contain multiple consecutive spaces (\"  \")");
        }

        foreach (var c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or ' '))
            {
                throw new ArgumentException("Protocol names can only contain letters, numbers and spaces");
            }
        }

        if (name.EndsWith(" protocol", StringComparison.Ordinal))
        {
            throw new ArgumentException("No need to end your protocol name with \" protocol\"");
        }

        return $"{securityLevel}-{name}-{keyId}";
    }
}
