using System.Collections.Concurrent;

namespace Tracemark.Server.Accounts;

/// <summary>What an API key's check reads from the database: the key, its organisation and that organisation's node.</summary>
internal sealed record ApiKeyRow(
    Guid Id, Guid OrganisationId, byte[] SecretHash, string[] Scopes, DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt,
    DateTimeOffset? LastUsedAt, string OrganisationKind, bool OrganisationActive, bool OrganisationLocal, string Name);

/// <summary>
/// Keys that passed every check, remembered by their prefix for <see cref="Lifetime"/> (<c>Accounts:ApiKeyCacheSeconds</c>,
/// 30 unless set, 0 turns it off), so that a client's requests do not each take a pooled connection and a query (about an
/// eighth of the server's CPU per filed notice). The secret is still hashed and compared on every request, and the expiry
/// is still read against the clock; what may be stale is only what another process changed: a revocation or an
/// organisation's deactivation made here is applied at once (<see cref="Forget"/>, called after such a write commits),
/// one made by another server process within <see cref="Lifetime"/>.
/// </summary>
public sealed class ApiKeyCache(TimeProvider clock, IConfiguration configuration)
{
    // A key's last use is written at most this often, as it was before keys were remembered.
    internal static readonly TimeSpan UseRecordedEvery = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _generation;

    public TimeSpan Lifetime { get; } = TimeSpan.FromSeconds(Math.Max(0, configuration.GetValue("Accounts:ApiKeyCacheSeconds", 30)));

    /// <summary>Taken before a key is read from the database, handed back to <see cref="Remember"/>.</summary>
    internal long Generation => Interlocked.Read(ref _generation);

    internal Entry? Find(string prefix)
    {
        if (!_entries.TryGetValue(prefix, out var entry))
        {
            return null;
        }

        if (clock.GetUtcNow() < entry.Until)
        {
            return entry;
        }

        _entries.TryRemove(new KeyValuePair<string, Entry>(prefix, entry));
        return null;
    }

    /// <summary>
    /// Remembers a key that passed its checks, unless something was forgotten since <paramref name="generation"/> was
    /// taken: the row may then have been read before a revocation committed.
    /// </summary>
    internal Entry Remember(string prefix, ApiKeyRow row, long generation)
    {
        var entry = new Entry(row, clock.GetUtcNow() + Lifetime);
        if (Lifetime <= TimeSpan.Zero || generation != Generation)
        {
            return entry;
        }

        _entries[prefix] = entry;

        // A Forget between the check above and the store would otherwise miss this entry.
        if (generation != Generation)
        {
            _entries.TryRemove(new KeyValuePair<string, Entry>(prefix, entry));
        }

        return entry;
    }

    /// <summary>
    /// Forgets every remembered key: called after a key is revoked or an organisation is changed, once committed. Such
    /// writes are rare, and re-reading every live key once costs less than tracking which keys each write touches.
    /// </summary>
    public void Forget()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }

    internal sealed class Entry(ApiKeyRow row, DateTimeOffset until)
    {
        private long _lastUsedTicks = row.LastUsedAt?.UtcTicks ?? 0;

        public ApiKeyRow Row { get; } = row;

        public DateTimeOffset Until { get; } = until;

        /// <summary>True for the one request that should record the key's use now (at most once a minute per process).</summary>
        public bool ClaimUse(DateTimeOffset now)
        {
            while (true)
            {
                var last = Interlocked.Read(ref _lastUsedTicks);
                if (now.UtcTicks - last <= UseRecordedEvery.Ticks)
                {
                    return false;
                }

                if (Interlocked.CompareExchange(ref _lastUsedTicks, now.UtcTicks, last) == last)
                {
                    return true;
                }
            }
        }
    }
}
