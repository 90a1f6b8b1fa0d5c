using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Tracemark.Testing;

/// <summary>
/// Errors the server logged while a test ran: written to the test's output (so a 500 in a test shows
/// its cause) and kept for assertions such as "nothing failed on the server".
/// </summary>
public sealed class CapturedErrors : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _errors = new();

    public IReadOnlyCollection<string> All => _errors;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedErrors sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var text = $"[{logLevel}] {category}: {formatter(state, exception)}{(exception is null ? "" : Environment.NewLine + exception)}";
            sink._errors.Enqueue(text);
            TestContext.Current.TestOutputHelper?.WriteLine(text);
        }
    }
}
