using System.Diagnostics.CodeAnalysis;

namespace PeerServ.Relay.Errors;

/// <summary>What a request parser returns: the value, or the error to answer with. Either converts implicitly.</summary>
public readonly struct Parsed<T>
{
    private readonly T? _value;

    private Parsed(T? value, RelayError? error)
    {
        _value = value;
        Error = error;
    }

    public RelayError? Error { get; }

    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Error is null;

    /// <summary>The parsed value; only when <see cref="Succeeded"/>.</summary>
    public T Value => Error is null ? _value! : throw new InvalidOperationException($"The request did not parse: {Error.Code}");

#pragma warning disable CA2225 // The conversions are the point: a parser returns a value or an error with `return`.
    public static implicit operator Parsed<T>(T value) => new(value, null);

    public static implicit operator Parsed<T>(RelayError error) => new(default, error ?? throw new ArgumentNullException(nameof(error)));
#pragma warning restore CA2225
}
