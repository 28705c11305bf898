using Microsoft.Extensions.Options;
using PeerServ.Relay;
using PeerServ.Relay.Errors;
using PeerServ.Relay.Wire;
using PeerServ.ServiceDefaults.Endpoints;
using PeerServ.Storage;

namespace PeerServ.Permissions.Apis;

/// <summary>/permissions/*: the caller is always the recipient whose rules are set, read and listed, and always the sender of a quote.</summary>
public static class PermissionsApi
{
    public static IEndpointRouteBuilder MapPermissionsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapRelay(RelayApi.SetPermission, SetAsync);
        endpoints.MapRelay(RelayApi.GetPermission, GetAsync);
        endpoints.MapRelay(RelayApi.ListPermissions, ListAsync);
        endpoints.MapRelay(RelayApi.GetQuote, QuoteAsync);
        return endpoints;
    }

    private static async Task<IResult> SetAsync(
        RelayCall<SetPermissionRequest> call, IPermissionStore store, IOptions<PermissionOptions> options, TimeProvider time, CancellationToken aborted)
    {
        var (box, fee, sender) = (call.Request.MessageBox, call.Request.RecipientFee, call.Request.Sender);
        if (fee > options.Value.MaxRecipientFee)
        {
            return RelayErrors.InvalidFeeValue.With($"recipientFee must be -1 (block), 0 (allow) or up to {options.Value.MaxRecipientFee} satoshis.").ToResult();
        }

        await store.SetAsync(call.CallerKey, box, sender, fee, time.GetUtcNow(), aborted);
        var what = fee switch
        {
            < 0 => "blocked",
            0 => "always allowed",
            _ => $"charged {fee} satoshis per message",
        };
        var description = sender is null ? $"Box-wide default for all senders to {box}: messages are now {what}." : $"Messages from {sender} to {box} are now {what}.";
        return TypedResults.Json(new SetPermissionResponse(description), RelayJson.Options);
    }

    private static async Task<IResult> GetAsync(RelayCall<GetPermissionRequest> call, IPermissionStore store, CancellationToken aborted)
    {
        var request = call.Request;
        if (request.Recipient is { } recipient && recipient != call.CallerKey)
        {
            return RelayErrors.ForeignPermissions.ToResult();
        }

        var rule = await store.GetAsync(call.CallerKey, request.MessageBox, request.Sender, aborted);
        var view = rule is null ? null : PermissionView.Create(rule.Sender, rule.MessageBox, rule.RecipientFee, rule.CreatedAt, rule.UpdatedAt);
        var description = rule is null
            ? "No rule is set for this sender and box; the box-wide rule or the relay's default applies."
            : $"Rule found: {view!.Status}.";
        return TypedResults.Json(new GetPermissionResponse(description, view), RelayJson.Options);
    }

    private static async Task<IResult> ListAsync(RelayCall<ListPermissionsRequest> call, IPermissionStore store, CancellationToken aborted)
    {
        var request = call.Request;
        var page = await store.ListAsync(new PermissionQuery(call.CallerKey, request.MessageBox, request.Offset, request.Limit, request.NewestFirst), aborted);
        var rows = page.Rules.Select(r => PermissionRow.Create(r.Sender, r.MessageBox, r.RecipientFee, r.CreatedAt, r.UpdatedAt)).ToList();
        return TypedResults.Json(new ListPermissionsResponse(rows, page.TotalCount, request.Limit, request.Offset), RelayJson.Options);
    }

    /// <summary>Delivery fees are 0 until the relay takes payments; recipient fees come from the one lookup sends use.</summary>
    private static async Task<IResult> QuoteAsync(RelayCall<QuoteRequest> call, RecipientFees fees, CancellationToken aborted)
    {
        const int deliveryFee = 0;
        var request = call.Request;
        var quoted = await fees.LookUpAsync(call.CallerKey, request.MessageBox, request.Recipients, aborted);
        const string description = "Message delivery quote generated.";
        if (quoted.Count == 1)
        {
            return TypedResults.Json(new QuoteResponse(description, new Quote(deliveryFee, quoted[0].Fee), null, null, null), RelayJson.Options);
        }

        var perRecipient = quoted.Select(q => new RecipientQuote(q.Recipient, request.MessageBox, deliveryFee, q.Fee, q.Status)).ToList();
        var recipientFees = quoted.Where(q => q.Fee > 0).Sum(q => (long)q.Fee);
        var totals = new QuoteTotals(deliveryFee, recipientFees, deliveryFee + recipientFees);
        var blocked = quoted.Where(q => q.Blocked).Select(q => q.Recipient).ToList();
        return TypedResults.Json(new QuoteResponse(description, null, perRecipient, totals, blocked), RelayJson.Options);
    }
}
