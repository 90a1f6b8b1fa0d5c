using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Tracemark.Server.Tests.Rights;

public sealed class DebugFactory : TracemarkFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(l => l.AddProvider(new FileLogs()));
    }

    private sealed class FileLogs : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new L();
        public void Dispose() { }
        private sealed class L : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel >= LogLevel.Warning) File.AppendAllText("/tmp/rights-test.log", formatter(state, exception) + "\n" + exception + "\n");
            }
        }
    }
}
