using System.Data;
using System.Globalization;
using System.Text.Json;
using Dapper;
using Npgsql;
using NpgsqlTypes;
using Tracemark.Server.Platform.Security;

namespace Tracemark.Server.Platform.Data;

/// <summary>
/// The only way request code reaches the database. Each transaction runs as the application's role
/// (tracemark_app, which row-level security applies to) with the caller's organisation set for the
/// policies, so a query that forgets to filter still cannot see another organisation's records.
/// Every transaction also carries the application's clock (tracemark.now, read by tm_now()), so that
/// time-dependent rules in SQL agree with the application and with tests that move the clock.
/// </summary>
public sealed class Db(NpgsqlDataSource dataSource, CallerAccessor caller, TimeProvider clock)
{
    private DbTx? _request;

    /// <summary>A transaction as the current caller, under row-level security.</summary>
    public Task<DbTx> BeginAsync(CancellationToken cancellationToken) => BeginAsync(caller.Current, cancellationToken);

    /// <summary>
    /// A transaction as a given caller (background work acting for an organisation, tests). While a request
    /// transaction is open (<see cref="BeginRequestTransactionAsync"/>), a transaction as the current caller
    /// joins it: its commit waits for the request's, and disposing it without commit dooms the request's.
    /// </summary>
    public Task<DbTx> BeginAsync(Caller actingAs, CancellationToken cancellationToken) => BeginAsync(actingAs, synchronous: false, cancellationToken);

    /// <summary>
    /// As <see cref="BeginAsync(Caller, CancellationToken)"/>; with <paramref name="synchronous"/>, every statement of the
    /// transaction (and its opening) blocks the calling thread until PostgreSQL answers and returns a completed task.
    /// For a writer on its own thread: the answer then wakes that thread instead of waiting for a thread-pool thread
    /// behind the requests' work, once per statement (docs/benchmarks.md, issue 6). Callers' code is the same either way.
    /// </summary>
    public Task<DbTx> BeginAsync(Caller actingAs, bool synchronous, CancellationToken cancellationToken) =>
        BeginAsync(actingAs, synchronous, genericPlans: false, cancellationToken);

    /// <summary>
    /// As <see cref="BeginAsync(Caller, bool, CancellationToken)"/>; with <paramref name="genericPlans"/>, the transaction's
    /// prepared statements run their generic plans (<c>plan_cache_mode</c>, for this transaction only). For a writer
    /// that runs the same statements batch after batch: PostgreSQL otherwise planned most of them afresh on every
    /// execution (their array parameters and the row-level security policies made a custom plan look cheaper), which
    /// was a sixth of its time per filed notice; with generic plans its CPU per notice fell 14–24 % in three of three
    /// alternated runs (docs/benchmarks.md, issue 6). Not for statements whose best plan depends on their values.
    /// </summary>
    public async Task<DbTx> BeginAsync(Caller actingAs, bool synchronous, bool genericPlans, CancellationToken cancellationToken)
    {
        if (_request is not null && actingAs.Equals(caller.Current))
        {
            return _request.Join();
        }

        cancellationToken.ThrowIfCancellationRequested();
        var connection = synchronous ? dataSource.OpenConnection() : await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var transaction = synchronous ? connection.BeginTransaction() : await connection.BeginTransactionAsync(cancellationToken);
            var tx = new DbTx(connection, transaction, actingAs, synchronous);
            await using (var session = new NpgsqlCommand(
                """
                SELECT set_config('role', 'tracemark_app', true),
                       set_config('tracemark.org_id', $1, true),
                       set_config('tracemark.user_id', $2, true),
                       set_config('tracemark.org_local', $3, true),
                       set_config('tracemark.org_admin', $4, true),
                       set_config('tracemark.platform_admin', $5, true),
                       set_config('tracemark.org_kind', $6, true),
                       set_config('tracemark.now', $7, true)
                """ + (genericPlans ? ", set_config('plan_cache_mode', 'force_generic_plan', true)" : ""),
                connection,
                transaction))
            {
                session.Parameters.AddWithValue(actingAs.OrganisationId?.ToString() ?? "");
                session.Parameters.AddWithValue(actingAs.UserId?.ToString() ?? "");
                session.Parameters.AddWithValue(actingAs.OrganisationIsLocal ? "on" : "off");
                session.Parameters.AddWithValue(actingAs.IsOrgAdmin ? "on" : "off");
                session.Parameters.AddWithValue(actingAs.IsPlatformAdmin ? "on" : "off");
                session.Parameters.AddWithValue(actingAs.OrganisationKind is { } kind ? Core.Organisations.OrganisationKinds.ToWire(kind) : "");
                session.Parameters.AddWithValue(Now());
                await tx.ExecuteNonQueryAsync(session, cancellationToken);
            }

            return tx;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// One transaction for the whole request, as the current caller, which every transaction the request's
    /// code begins as that caller joins. For platform pieces that must commit their own rows together with
    /// the request's changes (the idempotency record with the change it answers), not for features.
    /// </summary>
    internal async Task<DbTx> BeginRequestTransactionAsync(CancellationToken cancellationToken)
    {
        if (_request is not null)
        {
            throw new InvalidOperationException("A request transaction is already open.");
        }

        var tx = await BeginAsync(caller.Current, cancellationToken);
        tx.Ended = () => _request = null;
        _request = tx;
        return tx;
    }

    /// <summary>
    /// A transaction as the database owner, which row-level security does not restrict. Only for
    /// work that has no caller (sign-in, API key checks, timers, demo data) and that filters by itself.
    /// </summary>
    public async Task<DbTx> BeginSystemAsync(CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var session = new NpgsqlCommand("SELECT set_config('tracemark.now', $1, true)", connection, transaction))
            {
                session.Parameters.AddWithValue(Now());
                await session.ExecuteNonQueryAsync(cancellationToken);
            }

            return new DbTx(connection, transaction, Caller.Anonymous);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private string Now() => clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
}

/// <summary>One open transaction with its caller. Dispose without <see cref="CommitAsync"/> rolls back: nothing half-written.</summary>
public sealed class DbTx : IAsyncDisposable
{
    // Audit snapshots are written as the API shows records (camelCase, snake_case enum names).
    private static readonly JsonSerializerOptions AuditJson = CreateAuditJson();

    // Set on a transaction that joined the request's: it commits and ends with that one.
    private readonly DbTx? _outer;
    private bool _committed;

    internal DbTx(NpgsqlConnection connection, NpgsqlTransaction transaction, Caller caller, bool synchronous = false, DbTx? outer = null)
    {
        Connection = connection;
        Transaction = transaction;
        Caller = caller;
        Synchronous = synchronous;
        _outer = outer;
    }

    /// <summary>Whether statements block until answered (<see cref="Db.BeginAsync(Caller, bool, CancellationToken)"/>); their tasks are then already complete.</summary>
    public bool Synchronous { get; }

    /// <summary>A joined transaction ended without committing: the request's must not commit either.</summary>
    internal bool Doomed { get; private set; }

    internal Action? Ended { get; set; }

    public NpgsqlConnection Connection { get; }

    public NpgsqlTransaction Transaction { get; }

    public Caller Caller { get; }

    public Task<IEnumerable<T>> QueryAsync<T>(string sql, object? parameters = null, CancellationToken cancellationToken = default) =>
        Synchronous
            ? Run(this, static (c, d) => c.Query<T>(d), sql, parameters, cancellationToken)
            : Connection.QueryAsync<T>(Command(sql, parameters, cancellationToken));

    public Task<T?> QuerySingleOrDefaultAsync<T>(string sql, object? parameters = null, CancellationToken cancellationToken = default) =>
        Synchronous
            ? Run(this, static (c, d) => c.QuerySingleOrDefault<T>(d), sql, parameters, cancellationToken)
            : Connection.QuerySingleOrDefaultAsync<T>(Command(sql, parameters, cancellationToken));

    public Task<T> QuerySingleAsync<T>(string sql, object? parameters = null, CancellationToken cancellationToken = default) =>
        Synchronous
            ? Run(this, static (c, d) => c.QuerySingle<T>(d), sql, parameters, cancellationToken)
            : Connection.QuerySingleAsync<T>(Command(sql, parameters, cancellationToken));

    /// <summary>Several queries in one round trip; read their results in order from the reader.</summary>
    public Task<SqlMapper.GridReader> QueryMultipleAsync(string sql, object? parameters = null, CancellationToken cancellationToken = default) =>
        Synchronous
            ? Run(this, static (c, d) => c.QueryMultiple(d), sql, parameters, cancellationToken)
            : Connection.QueryMultipleAsync(Command(sql, parameters, cancellationToken));

    public Task<T?> ExecuteScalarAsync<T>(string sql, object? parameters = null, CancellationToken cancellationToken = default) =>
        Synchronous
            ? Run(this, static (c, d) => c.ExecuteScalar<T>(d), sql, parameters, cancellationToken)
            : Connection.ExecuteScalarAsync<T>(Command(sql, parameters, cancellationToken));

    public Task<int> ExecuteAsync(string sql, object? parameters = null, CancellationToken cancellationToken = default) =>
        Synchronous
            ? Run(this, static (c, d) => c.Execute(d), sql, parameters, cancellationToken)
            : Connection.ExecuteAsync(Command(sql, parameters, cancellationToken));

    /// <summary>
    /// Runs a command of this transaction's connection (built by code that needs Npgsql's own parameters), blocking
    /// or not as the transaction does: the one way such code runs its statements.
    /// </summary>
    public Task<int> ExecuteNonQueryAsync(NpgsqlCommand command, CancellationToken cancellationToken = default)
    {
        if (!Synchronous)
        {
            return command.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult(command.ExecuteNonQuery());
        }
        catch (Exception ex)
        {
            return Failed<int>(ex);
        }
    }

    private CommandDefinition Command(string sql, object? parameters, CancellationToken cancellationToken) =>
        new(sql, parameters, Transaction, cancellationToken: cancellationToken);

    // Dapper's synchronous calls do not watch the token: it is checked before each statement instead. Errors end in
    // the task, as an async call's do, so that callers see them the same way.
    private static Task<T> Run<T>(DbTx tx, Func<NpgsqlConnection, CommandDefinition, T> run, string sql, object? parameters, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult(run(tx.Connection, tx.Command(sql, parameters, cancellationToken)));
        }
        catch (Exception ex)
        {
            return Failed<T>(ex);
        }
    }

    private static Task<T> Failed<T>(Exception ex)
    {
        var failed = new TaskCompletionSource<T>();
        if (ex is OperationCanceledException canceled)
        {
            failed.SetCanceled(canceled.CancellationToken);
        }
        else
        {
            failed.SetException(ex);
        }

        return failed.Task;
    }

    /// <summary>
    /// Appends to the audit trail in this transaction: the entry exists exactly when the change does.
    /// <paramref name="before"/> and <paramref name="after"/> are serialised as JSON.
    /// </summary>
    public async Task AuditAsync(string action, string recordType, string? recordId, Guid? recordOwner = null, object? before = null, object? after = null, object? detail = null, CancellationToken cancellationToken = default)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO audit_events (organisation_id, user_id, api_key_id, session_id, client_address, action, record_type, record_id, record_owner_id, before, after, detail)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            """,
            Connection,
            Transaction);
        AddWhoAndWhat(command, action, recordType);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)recordId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)recordOwner ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(Json(before));
        command.Parameters.Add(Json(after));
        command.Parameters.Add(Json(detail));
        await ExecuteNonQueryAsync(command, cancellationToken);
    }

    /// <summary>Audit entries for several records of one action by this transaction's caller, in one statement.</summary>
    public async Task AuditManyAsync(string action, string recordType, IReadOnlyList<(string RecordId, Guid? RecordOwner, object? After, object? Detail)> entries, CancellationToken cancellationToken = default)
    {
        if (entries.Count == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(
            """
            INSERT INTO audit_events (organisation_id, user_id, api_key_id, session_id, client_address, action, record_type, record_id, record_owner_id, before, after, detail)
            SELECT $1, $2, $3, $4, $5, $6, $7, u.record_id, u.owner, NULL, u.after, u.detail
            FROM unnest($8::text[], $9::uuid[], $10::jsonb[], $11::jsonb[]) WITH ORDINALITY AS u (record_id, owner, after, detail, n)
            ORDER BY u.n
            """,
            Connection,
            Transaction);
        AddWhoAndWhat(command, action, recordType);
        command.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.RecordId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.RecordOwner).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.After is null ? null : JsonSerializer.Serialize(e.After, AuditJson)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = entries.Select(e => e.Detail is null ? null : JsonSerializer.Serialize(e.Detail, AuditJson)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        await ExecuteNonQueryAsync(command, cancellationToken);
    }

    /// <summary>The first seven parameters of an audit entry: who (this transaction's caller) and what.</summary>
    private void AddWhoAndWhat(NpgsqlCommand command, string action, string recordType)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)Caller.OrganisationId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)Caller.UserId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)Caller.ApiKeyId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)Caller.SessionId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)Caller.ClientAddress ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = action, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = recordType, NpgsqlDbType = NpgsqlDbType.Text });
    }

    public Task CommitAsync(CancellationToken cancellationToken = default)
    {
        if (_outer is not null)
        {
            _committed = true;
            return Task.CompletedTask;
        }

        if (!Synchronous)
        {
            return Transaction.CommitAsync(cancellationToken);
        }

        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            Transaction.Commit();
            return Task.CompletedTask;
        }
        catch (Exception ex)
        {
            return Failed<bool>(ex);
        }
    }

    internal DbTx Join() => new(Connection, Transaction, Caller, Synchronous, this);

    private static JsonSerializerOptions CreateAuditJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        PlatformSetup.ConfigureJson(options);
        return options;
    }

    public async ValueTask DisposeAsync()
    {
        if (_outer is not null)
        {
            if (!_committed)
            {
                _outer.Doomed = true;
            }

            return;
        }

        Ended?.Invoke();
        if (Synchronous)
        {
            Transaction.Dispose();
            Connection.Dispose();
            return;
        }

        await Transaction.DisposeAsync();
        await Connection.DisposeAsync();
    }

    private static NpgsqlParameter Json(object? value) => new()
    {
        Value = value is null ? DBNull.Value : JsonSerializer.Serialize(value, AuditJson),
        NpgsqlDbType = NpgsqlDbType.Jsonb,
    };
}

/// <summary>Dapper settings for the whole process: snake_case columns, UTC instants.</summary>
public static class DapperSetup
{
    private static int _done;

    public static void Configure()
    {
        if (Interlocked.Exchange(ref _done, 1) == 1)
        {
            return;
        }

        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.AddTypeHandler(new UtcInstantHandler());
        SqlMapper.AddTypeHandler(new NullableUtcInstantHandler());

        // Npgsql reports array columns as System.Array; handlers let records with array members bind by constructor.
        SqlMapper.AddTypeHandler(new ArrayHandler<string>(NpgsqlDbType.Text));
        SqlMapper.AddTypeHandler(new ArrayHandler<short>(NpgsqlDbType.Smallint));
        SqlMapper.AddTypeHandler(new ArrayHandler<int>(NpgsqlDbType.Integer));
        SqlMapper.AddTypeHandler(new ArrayHandler<Guid>(NpgsqlDbType.Uuid));

        // Npgsql reads `date` as DateTime unless asked; calendar dates (expiry, validity) are DateOnly.
        SqlMapper.AddTypeHandler(new DateHandler());
        SqlMapper.AddTypeHandler(new NullableDateHandler());
    }

    private sealed class ArrayHandler<T>(NpgsqlDbType elementType) : SqlMapper.TypeHandler<T[]>
    {
        public override T[] Parse(object value) => (T[])value;

        public override void SetValue(IDbDataParameter parameter, T[]? value)
        {
            parameter.Value = (object?)value ?? DBNull.Value;
            ((NpgsqlParameter)parameter).NpgsqlDbType = NpgsqlDbType.Array | elementType;
        }
    }

    private sealed class DateHandler : SqlMapper.TypeHandler<DateOnly>
    {
        public override DateOnly Parse(object value) => value switch
        {
            DateOnly date => date,
            DateTime dateTime => DateOnly.FromDateTime(dateTime),
            _ => DateOnly.Parse(Convert.ToString(value, CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture),
        };

        public override void SetValue(IDbDataParameter parameter, DateOnly value)
        {
            parameter.Value = value;
            ((NpgsqlParameter)parameter).NpgsqlDbType = NpgsqlDbType.Date;
        }
    }

    private sealed class NullableDateHandler : SqlMapper.TypeHandler<DateOnly?>
    {
        public override DateOnly? Parse(object value) => value is DBNull or null ? null : new DateHandler().Parse(value);

        public override void SetValue(IDbDataParameter parameter, DateOnly? value)
        {
            parameter.Value = value is null ? DBNull.Value : value.Value;
            ((NpgsqlParameter)parameter).NpgsqlDbType = NpgsqlDbType.Date;
        }
    }

    private sealed class UtcInstantHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override DateTimeOffset Parse(object value) => value switch
        {
            DateTime dateTime => new DateTimeOffset(DateTime.SpecifyKind(dateTime, DateTimeKind.Utc)),
            DateTimeOffset offset => offset.ToUniversalTime(),
            _ => DateTimeOffset.Parse(Convert.ToString(value, CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture),
        };

        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value)
        {
            parameter.Value = value.ToUniversalTime();
            ((NpgsqlParameter)parameter).NpgsqlDbType = NpgsqlDbType.TimestampTz;
        }
    }

    private sealed class NullableUtcInstantHandler : SqlMapper.TypeHandler<DateTimeOffset?>
    {
        public override DateTimeOffset? Parse(object value) => value is DBNull or null ? null : new UtcInstantHandler().Parse(value);

        public override void SetValue(IDbDataParameter parameter, DateTimeOffset? value)
        {
            parameter.Value = value is null ? DBNull.Value : value.Value.ToUniversalTime();
            ((NpgsqlParameter)parameter).NpgsqlDbType = NpgsqlDbType.TimestampTz;
        }
    }
}
