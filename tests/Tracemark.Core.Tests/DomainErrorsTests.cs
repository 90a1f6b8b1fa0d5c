using Tracemark.Core.Errors;

namespace Tracemark.Core.Tests;

public sealed class DomainErrorsTests
{
    [Fact]
    public void A_validation_error_carries_every_field_problem()
    {
        var error = new InputValidationException([new FieldError("title", "required"), new FieldError("severity", "invalid_value")]);
        Assert.Equal(["title", "severity"], error.Errors.Select(e => e.Field));
        Assert.Contains("title: required", error.Message, StringComparison.Ordinal);
        Assert.Contains("severity: invalid_value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_validation_error_without_problems_is_a_bug() =>
        Assert.Throws<ArgumentException>(() => new InputValidationException([]));
}
