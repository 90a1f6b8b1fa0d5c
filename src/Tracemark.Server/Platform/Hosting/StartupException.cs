namespace Tracemark.Server.Platform.Hosting;

/// <summary>
/// The platform cannot start (or a command cannot run) because of the machine or its configuration.
/// The message is one line that says what to do; the CLI prints it as it is.
/// </summary>
public sealed class StartupException : Exception
{
    public StartupException(string message)
        : base(message)
    {
    }

    public StartupException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
