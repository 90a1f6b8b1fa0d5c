namespace Tracemark.Core.Errors;

/// <summary>
/// Collects every problem with an input before anything is written, so a caller learns all of them
/// at once; <see cref="ThrowIfAny"/> raises one <see cref="InputValidationException"/>.
/// </summary>
public sealed class FieldRules
{
    private readonly List<FieldError> _errors = [];

    public bool HasErrors => _errors.Count > 0;

    public IReadOnlyList<FieldError> Errors => _errors;

    public FieldRules Add(string field, string code, params object[] args)
    {
        _errors.Add(new FieldError(field, code, args));
        return this;
    }

    /// <summary>Required text, trimmed, at most <paramref name="maxLength"/> characters; returns the trimmed value.</summary>
    public string Required(string field, string? value, int maxLength)
    {
        var trimmed = value?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            Add(field, "required");
        }
        else if (trimmed.Length > maxLength)
        {
            Add(field, "too_long", maxLength);
        }

        return trimmed;
    }

    /// <summary>Optional text: null or blank gives null; otherwise trimmed and at most <paramref name="maxLength"/> characters.</summary>
    public string? Optional(string field, string? value, int maxLength)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        if (trimmed.Length > maxLength)
        {
            Add(field, "too_long", maxLength);
        }

        return trimmed;
    }

    public void ThrowIfAny()
    {
        if (_errors.Count > 0)
        {
            throw new InputValidationException([.. _errors]);
        }
    }
}
