namespace Tracemark.Testing;

/// <summary>Registered per test assembly with [assembly: AssemblyFixture(typeof(PostgresAssemblyFixture))]: stops the cluster when the run ends.</summary>
public sealed class PostgresAssemblyFixture : IAsyncDisposable
{
    public async ValueTask DisposeAsync() => await TestPostgres.StopSharedAsync();
}
