namespace Tracemark.Core.Errors;

/// <summary>
/// One problem with one field of the caller's input. <see cref="Code"/> is stable and is the key the
/// server localises; <see cref="Args"/> fills the localised template ({0}, {1}, …).
/// </summary>
public sealed record FieldError(string Field, string Code, params object[] Args)
{
    public override string ToString() => $"{Field}: {Code}";
}

/// <summary>Base of every error the domain raises on purpose; anything else is a bug (500).</summary>
public abstract class TracemarkException : Exception
{
    protected TracemarkException(string code, string message, IReadOnlyList<object>? args = null, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        Args = args ?? [];
    }

    /// <summary>Stable machine-readable code, e.g. <c>alert.distribution.narrowing</c>.</summary>
    public string Code { get; }

    public IReadOnlyList<object> Args { get; }
}

/// <summary>The input is malformed or breaks a field rule (400). Carries every problem found, not only the first.</summary>
public sealed class InputValidationException : TracemarkException
{
    public InputValidationException(IReadOnlyList<FieldError> errors)
        : base("validation.failed", "Invalid input: " + string.Join("; ", errors), null)
    {
        if (errors.Count == 0)
        {
            throw new ArgumentException("At least one field error is required.", nameof(errors));
        }

        Errors = errors;
    }

    public InputValidationException(string field, string code, params object[] args)
        : this([new FieldError(field, code, args)])
    {
    }

    public IReadOnlyList<FieldError> Errors { get; }
}

/// <summary>The record does not exist, or the caller may not know it exists (404 either way).</summary>
public sealed class RecordNotFoundException(string recordType, string id)
    : TracemarkException("record.not_found", $"{recordType} '{id}' was not found.", [recordType, id])
{
    public string RecordType { get; } = recordType;

    public string RecordId { get; } = id;
}

/// <summary>A well-formed request that a domain rule refuses (409 or 422, see <see cref="IsConflict"/>).</summary>
public sealed class RuleViolationException(string code, string message, string? field = null, bool isConflict = false, params object[] args)
    : TracemarkException(code, message, args)
{
    /// <summary>The field the rule concerns, when there is one.</summary>
    public string? Field { get; } = field;

    /// <summary>True when the request clashes with the current state of a record (409) rather than a rule (422).</summary>
    public bool IsConflict { get; } = isConflict;
}

/// <summary>The caller is known but its role or organisation does not allow the action (403).</summary>
public sealed class AccessDeniedException(string code, string message)
    : TracemarkException(code, message);
