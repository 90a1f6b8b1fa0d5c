namespace Tracemark.Core.Money;

/// <summary>
/// Conversion rates between currencies, each given as units of that currency per US dollar (the way
/// central banks publish cross rates). The rates are configurable data, not facts: whoever keeps them
/// decides their date and source; converting through them is only as good as they are.
/// </summary>
public sealed class ExchangeRates
{
    private readonly Dictionary<string, decimal> _perUsd;

    public ExchangeRates(IReadOnlyDictionary<string, decimal> unitsPerUsd)
    {
        _perUsd = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var (currency, rate) in unitsPerUsd)
        {
            if (rate <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(unitsPerUsd), rate, $"The rate of {currency} must be positive.");
            }

            _perUsd[currency] = rate;
        }

        _perUsd.TryAdd("USD", 1m);
    }

    public static ExchangeRates None { get; } = new(new Dictionary<string, decimal>(StringComparer.Ordinal));

    public bool Knows(string currency) => _perUsd.ContainsKey(currency);

    /// <summary><paramref name="amount"/> in <paramref name="from"/> expressed in <paramref name="to"/>; null when either rate is unknown.</summary>
    public decimal? Convert(decimal amount, string from, string to)
    {
        if (string.Equals(from, to, StringComparison.Ordinal))
        {
            return amount;
        }

        return _perUsd.TryGetValue(from, out var source) && _perUsd.TryGetValue(to, out var target) ? amount / source * target : null;
    }
}
