using System.Globalization;
using System.Text;

namespace PeerServ.Cli;

/// <summary>
/// What a sender wrote, made safe to print in the tab-separated text output: control characters (C0, DEL, C1, so no
/// terminal escape sequences and no forged lines or columns), line and paragraph separators and bidi controls (no text
/// that reads in another order than it is) appear as \n, \t, \\ or \u{…}. --json output is untouched.
/// </summary>
internal static class TerminalText
{
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text) || !text.Any(NeedsEscape))
        {
            return text ?? "";
        }

        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            escaped.Append(c switch
            {
                '\\' => @"\\",
                '\n' => @"\n",
                '\r' => @"\r",
                '\t' => @"\t",
                _ when NeedsEscape(c) => string.Create(CultureInfo.InvariantCulture, $@"\u{{{(int)c:x4}}}"),
                _ => c.ToString(),
            });
        }

        return escaped.ToString();
    }

    private static bool NeedsEscape(char c) =>
        c < 0x20 || c is '\\' or (>= (char)0x7f and <= (char)0x9f)
        || c is '\u2028' or '\u2029' or '\u061c' or '\u200e' or '\u200f' or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069');
}
