using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Tracemark.Core.Errors;

namespace Tracemark.Server.Platform.Errors;

/// <summary>Marker for the error messages resource (ErrorText.resx, ErrorText.zh-CN.resx).</summary>
public sealed class ErrorText;

/// <summary>
/// The one path from an error to an RFC 9457 problem detail: domain exceptions, bad requests the
/// framework rejects, empty error statuses (unknown route, wrong method, unsupported media type)
/// and unhandled exceptions all end here, localised to the caller's language.
/// </summary>
public sealed class Problems(IStringLocalizer<ErrorText> text, ILogger<Problems> logger)
{
    public const string ContentType = "application/problem+json";

    /// <summary>A problem detail for an exception; never reveals internals of unexpected ones.</summary>
    public ProblemDetails FromException(HttpContext context, Exception exception)
    {
        switch (exception)
        {
            case InputValidationException validation:
                return Create(context, StatusCodes.Status400BadRequest, validation.Code, validation.Errors);
            case RecordNotFoundException notFound:
                return Create(context, StatusCodes.Status404NotFound, notFound.Code, [], Localise("record." + notFound.RecordType), notFound.RecordId);
            case RuleViolationException rule:
                var status = rule.IsConflict ? StatusCodes.Status409Conflict : StatusCodes.Status422UnprocessableEntity;
                return Create(context, status, rule.Code, rule.Field is null ? [] : [new FieldError(rule.Field, rule.Code, [.. rule.Args])], [.. rule.Args]);
            case AccessDeniedException denied:
                return Create(context, StatusCodes.Status403Forbidden, denied.Code, []);
            case BadHttpRequestException { InnerException: JsonException json }:
                return Create(context, StatusCodes.Status400BadRequest, "validation.failed", [JsonFieldError(json)]);
            case BadHttpRequestException badRequest:
                return FromStatus(context, badRequest.StatusCode);
            case JsonException json:
                return Create(context, StatusCodes.Status400BadRequest, "validation.failed", [JsonFieldError(json)]);
            case OperationCanceledException when context.RequestAborted.IsCancellationRequested:
                return Create(context, 499, "request.cancelled", []);
            default:
                logger.LogError(exception, "Unhandled exception on {Method} {Path}", context.Request.Method, context.Request.Path);
                return Create(context, StatusCodes.Status500InternalServerError, "server.error", []);
        }
    }

    /// <summary>A problem detail for a bare status code, e.g. an unknown route (404) or a wrong method (405).</summary>
    public ProblemDetails FromStatus(HttpContext context, int status) => status switch
    {
        StatusCodes.Status400BadRequest => Create(context, status, "request.bad", []),
        StatusCodes.Status401Unauthorized => Create(context, status, "auth.required", []),
        StatusCodes.Status403Forbidden => Create(context, status, "auth.forbidden", []),
        StatusCodes.Status404NotFound => Create(context, status, "route.not_found", [], context.Request.Path.Value ?? "/"),
        StatusCodes.Status405MethodNotAllowed => Create(context, status, "route.method_not_allowed", [], context.Request.Method),
        StatusCodes.Status413PayloadTooLarge => Create(context, status, "request.too_large", []),
        StatusCodes.Status415UnsupportedMediaType => Create(context, status, "request.unsupported_media_type", [], context.Request.ContentType ?? "-"),
        StatusCodes.Status429TooManyRequests => Create(context, status, "request.too_many", []),
        StatusCodes.Status503ServiceUnavailable => Create(context, status, "server.unavailable", []),
        _ => Create(context, status, "request.failed", [], status),
    };

    public ProblemDetails Create(HttpContext context, int status, string code, IReadOnlyList<FieldError> errors, params object[] args)
    {
        var problem = new ProblemDetails
        {
            Type = "https://tracemark.dev/problems/" + code.Replace('.', '-').Replace('_', '-'),
            Title = Localise("title." + code, Localise("status." + status.ToString(CultureInfo.InvariantCulture))),
            Status = status,
            Instance = context.Request.Path,
        };
        problem.Extensions["code"] = code;
        if (errors.Count > 0)
        {
            var fieldErrors = errors.Select(e => new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["field"] = e.Field,
                ["code"] = e.Code,
                ["message"] = FieldMessage(e),
            }).ToList();
            problem.Extensions["errors"] = fieldErrors;
            problem.Detail = string.Join(" ", fieldErrors.Select(e => e["message"]));
        }
        else
        {
            var detail = Localise(code, args);
            problem.Detail = string.Equals(detail, code, StringComparison.Ordinal) ? problem.Title : detail;
        }

        problem.Extensions["traceId"] = Activity.Current?.Id ?? context.TraceIdentifier;
        return problem;
    }

    public static async Task WriteAsync(HttpContext context, ProblemDetails problem)
    {
        context.Response.StatusCode = problem.Status ?? 500;
        context.Response.ContentType = ContentType;
        await context.Response.WriteAsJsonAsync(problem, ProblemJson.Options, ContentType, context.RequestAborted);
    }

    /// <summary>"Field 'title': must not be empty" in the caller's language.</summary>
    public string FieldMessage(FieldError error)
    {
        var template = text["field." + error.Code];
        var message = template.ResourceNotFound ? error.Code : string.Format(CultureInfo.CurrentCulture, template.Value, error.Args);
        return string.Format(CultureInfo.CurrentCulture, text["field.format"].Value, error.Field, message);
    }

    private string Localise(string key, params object[] args)
    {
        var value = text[key];
        return value.ResourceNotFound ? key : string.Format(CultureInfo.CurrentCulture, value.Value, args);
    }

    private string Localise(string key, string fallback)
    {
        var value = text[key];
        return value.ResourceNotFound ? fallback : value.Value;
    }

    private static FieldError JsonFieldError(JsonException json)
    {
        // "$.distribution" → "distribution"; "$.items[2].name" → "items[2].name"; "$" → "body" (the whole request body).
        var path = json.Path;
        var field = string.IsNullOrEmpty(path) || string.Equals(path, "$", StringComparison.Ordinal) ? "body" : path.TrimStart('$').TrimStart('.');

        // The reader wraps syntax errors (truncated or invalid JSON); value and member errors come without it.
        var syntax = json.InnerException?.GetType().Name == "JsonReaderException";
        return syntax
            ? new FieldError(field, "json.malformed", (json.LineNumber ?? 0) + 1, (json.BytePositionInLine ?? 0) + 1)
            : new FieldError(field, "json.invalid_value");
    }
}

internal static class ProblemJson
{
    // The API's own settings, so that Chinese text in a problem reads as characters, not \u escapes.
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        PlatformSetup.ConfigureJson(options);
        return options;
    }
}

/// <summary>Turns every exception that reaches the pipeline into a problem detail.</summary>
internal sealed class ProblemExceptionHandler(Problems problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (httpContext.Response.HasStarted || WebPages.WantsPage(httpContext))
        {
            return false;
        }

        var problem = problems.FromException(httpContext, exception);
        await Problems.WriteAsync(httpContext, problem);
        return true;
    }
}

internal static class ProblemPipeline
{
    public static IServiceCollection AddProblems(this IServiceCollection services)
    {
        services.AddScoped<Problems>();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddProblemDetails();

        // Minimal APIs throw on bad requests instead of writing a bare 400, so the handler above names the field.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }

    public static WebApplication UseProblems(this WebApplication app)
    {
        // Browsers asking for a page get the error page in their language; everyone else a problem detail.
        app.UseWhen(WebPages.WantsPage, page =>
        {
            page.UseExceptionHandler(new ExceptionHandlerOptions
            {
                ExceptionHandlingPath = "/error/500",

                // A missing or hidden record is a 404 page, a refused action a 403 page, and so on.
                StatusCodeSelector = exception => exception switch
                {
                    RecordNotFoundException => StatusCodes.Status404NotFound,
                    AccessDeniedException => StatusCodes.Status403Forbidden,
                    InputValidationException => StatusCodes.Status400BadRequest,
                    RuleViolationException rule => rule.IsConflict ? StatusCodes.Status409Conflict : StatusCodes.Status422UnprocessableEntity,
                    _ => StatusCodes.Status500InternalServerError,
                },
            });
            page.UseStatusCodePagesWithReExecute("/error/{0}");
        });
        app.UseWhen(context => !WebPages.WantsPage(context), api =>
        {
            api.UseExceptionHandler();
            api.UseStatusCodePages(async statusContext =>
            {
                var http = statusContext.HttpContext;
                var problems = http.RequestServices.GetRequiredService<Problems>();
                await Problems.WriteAsync(http, problems.FromStatus(http, http.Response.StatusCode));
            });
        });
        return app;
    }
}
