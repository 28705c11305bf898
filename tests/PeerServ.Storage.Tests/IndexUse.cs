using MongoDB.Bson;

namespace PeerServ.Storage.Tests;

/// <summary>
/// Which index can answer a query, by MongoDB's rules for index bounds: an index is usable when the filter constrains
/// its first key (equality, range or $in; an $or needs an index for every branch), the longest such prefix winning, and it gives a sort without an
/// in-memory SORT stage when the keys before the sort fields are all equality-constrained and the sort fields follow in
/// order. What an explain plan would show as IXSCAN, for a server that cannot explain (the MongoDB-wire test server).
/// </summary>
internal static class IndexUse
{
    /// <summary>The index (its name) that bounds the filter, or null: the server would scan the collection.</summary>
    public static string? For(BsonDocument filter, IReadOnlyList<BsonDocument> indexes)
    {
        var (equal, constrained, branches) = Fields(filter);
        // The one with the longest bounded prefix, as the planner prefers: equality keys, then at most one range or $in key.
        var usable = indexes.Where(i => BoundedPrefix(i, equal, constrained) > 0).MaxBy(i => BoundedPrefix(i, equal, constrained));
        if (usable is not null)
        {
            return usable["name"].AsString;
        }

        // Every branch of a top-level $or bounded by some index: an index union (OR of IXSCANs).
        return branches.Count > 0 && branches.All(b => For(b, indexes) is not null) ? "$or:" + string.Join('|', branches.Select(b => For(b, indexes))) : null;
    }

    /// <summary>The index that answers the filter already in the sort's order, or null: the server would sort in memory.</summary>
    public static string? SortedBy(BsonDocument filter, BsonDocument sort, IReadOnlyList<BsonDocument> indexes)
    {
        var (equal, _, _) = Fields(filter);
        var order = sort.Names.ToList();
        foreach (var index in indexes)
        {
            var keys = index["key"].AsBsonDocument.Names.ToList();
            var skipped = keys.TakeWhile(k => equal.Contains(k) && !order.Contains(k)).Count();
            if (skipped > 0 && keys.Skip(skipped).Take(order.Count).SequenceEqual(order))
            {
                return index["name"].AsString;
            }
        }

        return null;
    }

    private static int BoundedPrefix(BsonDocument index, HashSet<string> equal, HashSet<string> constrained)
    {
        var bounded = 0;
        foreach (var key in index["key"].AsBsonDocument.Names)
        {
            if (equal.Contains(key))
            {
                bounded++;
            }
            else
            {
                return constrained.Contains(key) ? bounded + 1 : bounded;
            }
        }

        return bounded;
    }

    private static (HashSet<string> Equal, HashSet<string> Constrained, List<BsonDocument> OrBranches) Fields(BsonDocument filter)
    {
        var equal = new HashSet<string>(StringComparer.Ordinal);
        var constrained = new HashSet<string>(StringComparer.Ordinal);
        var branches = new List<BsonDocument>();
        foreach (var element in filter)
        {
            if (element.Name == "$and")
            {
                foreach (var part in element.Value.AsBsonArray)
                {
                    var (e, c, b) = Fields(part.AsBsonDocument);
                    equal.UnionWith(e);
                    constrained.UnionWith(c);
                    branches.AddRange(b);
                }
            }
            else if (element.Name == "$or")
            {
                branches.AddRange(element.Value.AsBsonArray.Select(v => v.AsBsonDocument));
            }
            else if (element.Value is BsonDocument condition && condition.ElementCount > 0 && condition.GetElement(0).Name.StartsWith('$'))
            {
                var operators = condition.Names.ToList();
                if (operators.Contains("$eq"))
                {
                    equal.Add(element.Name);
                }
                else if (operators.Any(o => o is "$in" or "$gt" or "$gte" or "$lt" or "$lte"))
                {
                    constrained.Add(element.Name);
                }

                // $ne, $exists, $not and the like bound nothing.
            }
            else
            {
                equal.Add(element.Name);
            }
        }

        return (equal, constrained, branches);
    }
}
