using System.Globalization;
using Tracemark.Core.Calendars;
using Tracemark.Core.Errors;
using Tracemark.Server.Platform.Data;

namespace Tracemark.Server.Calendars;

public sealed record CalendarView(string Code, string NameEn, string NameZh, string TimeZone, IReadOnlyList<string> Weekend, DateOnly KnownFrom, DateOnly KnownUntil);

public sealed record CalendarDayView(DateOnly Day, string Kind, string NameEn, string NameZh);

public sealed record CalendarDayChange(string? Kind, string? NameEn, string? NameZh);

public sealed record CalendarChange(DateOnly? KnownUntil);

/// <summary>The calendars in memory, one per running server (a singleton).</summary>
public sealed class CalendarCache
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);
    private readonly Lock _gate = new();
    private Dictionary<string, WorkingDayCalendar>? _calendars;
    private DateTimeOffset _loadedAt;
    private long _generation;

    public bool TryGet(DateTimeOffset now, out Dictionary<string, WorkingDayCalendar> calendars, out long generation)
    {
        lock (_gate)
        {
            generation = _generation;
            calendars = _calendars!;
            return _calendars is not null && now - _loadedAt < Lifetime;
        }
    }

    public void Store(Dictionary<string, WorkingDayCalendar> calendars, long generation, DateTimeOffset now)
    {
        lock (_gate)
        {
            // A change made while loading wins: the next read loads again.
            if (generation == _generation)
            {
                _calendars = calendars;
                _loadedAt = now;
            }
        }
    }

    public void Invalidate()
    {
        lock (_gate)
        {
            _calendars = null;
            _generation++;
        }
    }
}

public sealed record DeadlineView(DateTimeOffset From, string Period, DateTimeOffset Due, DateOnly LastDay, bool Provisional, string Calendar);

/// <summary>
/// The working-day calendars every deadline is counted in. Reading is cheap: calendars are kept in
/// memory and reloaded after any change made through this store (and at most a minute after a
/// change made by another server), so timers and sweeps never query them per record.
/// </summary>
public sealed class CalendarStore(Db db, CalendarCache cache, TimeProvider clock)
{
    /// <summary>The calendar of a jurisdiction (ISO 3166 code such as CN, US, DE); 404 when there is none.</summary>
    public async Task<WorkingDayCalendar> GetAsync(string code, CancellationToken cancellationToken)
    {
        var calendars = await AllAsync(cancellationToken);
        return calendars.TryGetValue(code.ToUpperInvariant(), out var calendar) ? calendar : throw new RecordNotFoundException("calendar", code);
    }

    public async Task<IReadOnlyDictionary<string, WorkingDayCalendar>> AllAsync(CancellationToken cancellationToken)
    {
        if (cache.TryGet(clock.GetUtcNow(), out var cached, out var generation))
        {
            return cached;
        }

        var loaded = await LoadAsync(cancellationToken);
        cache.Store(loaded, generation, clock.GetUtcNow());
        return loaded;
    }

    public async Task<IReadOnlyList<CalendarView>> ListAsync(CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var rows = await tx.QueryAsync<CalendarRow>("SELECT code, name_en, name_zh, time_zone, weekend, known_from, known_until FROM calendars ORDER BY code", cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return rows.Select(r => r.ToView()).ToList();
    }

    public async Task<IReadOnlyList<CalendarDayView>> DaysAsync(string code, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        await GetAsync(code, cancellationToken);
        await using var tx = await db.BeginAsync(cancellationToken);
        var rows = await tx.QueryAsync<DayRow>(
            "SELECT day, kind, name_en, name_zh FROM calendar_days WHERE calendar_code = @code AND day BETWEEN @from AND @to ORDER BY day",
            new { code = code.ToUpperInvariant(), from, to },
            cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return rows.Select(r => new CalendarDayView(r.Day, r.Kind, r.NameEn, r.NameZh)).ToList();
    }

    public async Task<DeadlineView> DeadlineAsync(string code, DateTimeOffset from, Period period, CancellationToken cancellationToken)
    {
        var calendar = await GetAsync(code, cancellationToken);
        var result = calendar.Deadline(from, period);
        return new DeadlineView(from.ToUniversalTime(), Describe(period), result.Due, result.LastDay, result.Provisional, calendar.Code);
    }

    public async Task SetDayAsync(string code, DateOnly day, CalendarDayChange change, CancellationToken cancellationToken)
    {
        var rules = new FieldRules();
        if (change.Kind is not ("holiday" or "working"))
        {
            rules.Add("kind", change.Kind is null ? "required" : "invalid_value");
        }

        var nameEn = rules.Required("nameEn", change.NameEn, 200);
        var nameZh = rules.Required("nameZh", change.NameZh, 200);
        rules.ThrowIfAny();
        await GetAsync(code, cancellationToken);
        await using var tx = await db.BeginAsync(cancellationToken);
        var before = await tx.QuerySingleOrDefaultAsync<DayRow>(
            "SELECT day, kind, name_en, name_zh FROM calendar_days WHERE calendar_code = @code AND day = @day",
            new { code = code.ToUpperInvariant(), day },
            cancellationToken);
        await tx.ExecuteAsync(
            """
            INSERT INTO calendar_days (calendar_code, day, kind, name_en, name_zh) VALUES (@code, @day, @kind, @nameEn, @nameZh)
            ON CONFLICT (calendar_code, day) DO UPDATE SET kind = excluded.kind, name_en = excluded.name_en, name_zh = excluded.name_zh
            """,
            new { code = code.ToUpperInvariant(), day, kind = change.Kind, nameEn, nameZh },
            cancellationToken);
        await tx.ExecuteAsync("UPDATE calendars SET updated_at = now() WHERE code = @code", new { code = code.ToUpperInvariant() }, cancellationToken);
        await tx.AuditAsync("calendar.set_day", "calendar", code.ToUpperInvariant(), before: before, after: new { day, change.Kind, nameEn, nameZh }, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        Invalidate();
    }

    public async Task RemoveDayAsync(string code, DateOnly day, CancellationToken cancellationToken)
    {
        await using var tx = await db.BeginAsync(cancellationToken);
        var removed = await tx.ExecuteAsync("DELETE FROM calendar_days WHERE calendar_code = @code AND day = @day", new { code = code.ToUpperInvariant(), day }, cancellationToken);
        if (removed == 0)
        {
            throw new RecordNotFoundException("calendar_day", $"{code}/{day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}");
        }

        await tx.AuditAsync("calendar.remove_day", "calendar", code.ToUpperInvariant(), detail: new { day }, cancellationToken: cancellationToken);
        await tx.CommitAsync(cancellationToken);
        Invalidate();
    }

    public async Task<CalendarView> ChangeAsync(string code, CalendarChange change, CancellationToken cancellationToken)
    {
        var calendar = await GetAsync(code, cancellationToken);
        if (change.KnownUntil is { } until && until < calendar.KnownFrom)
        {
            throw new InputValidationException("knownUntil", "date.before_start", calendar.KnownFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        await using var tx = await db.BeginAsync(cancellationToken);
        await tx.ExecuteAsync(
            "UPDATE calendars SET known_until = coalesce(@until, known_until), updated_at = now() WHERE code = @code",
            new { code = calendar.Code, until = change.KnownUntil },
            cancellationToken);
        await tx.AuditAsync("calendar.change", "calendar", calendar.Code, before: new { calendar.KnownUntil }, after: change, cancellationToken: cancellationToken);
        var view = (await tx.QuerySingleAsync<CalendarRow>("SELECT code, name_en, name_zh, time_zone, weekend, known_from, known_until FROM calendars WHERE code = @code", new { code = calendar.Code }, cancellationToken)).ToView();
        await tx.CommitAsync(cancellationToken);
        Invalidate();
        return view;
    }

    public static string Describe(Period period) => period.Unit switch
    {
        PeriodUnit.Hours => $"{period.Length.ToString(CultureInfo.InvariantCulture)} hours",
        PeriodUnit.CalendarDays => $"{period.Length.ToString(CultureInfo.InvariantCulture)} calendar days{(period.ExtendToWorkingDay ? " (ending on a working day)" : "")}",
        _ => $"{period.Length.ToString(CultureInfo.InvariantCulture)} working days",
    };

    private void Invalidate() => cache.Invalidate();

    private async Task<Dictionary<string, WorkingDayCalendar>> LoadAsync(CancellationToken cancellationToken)
    {
        // Reference data that every organisation may read: no caller needed.
        await using var tx = await db.BeginSystemAsync(cancellationToken);
        var calendars = await tx.QueryAsync<CalendarRow>("SELECT code, name_en, name_zh, time_zone, weekend, known_from, known_until FROM calendars", cancellationToken: cancellationToken);
        var days = (await tx.QueryAsync<DayRow>("SELECT calendar_code, day, kind, name_en, name_zh FROM calendar_days", cancellationToken: cancellationToken)).ToList();
        await tx.CommitAsync(cancellationToken);
        return calendars.ToDictionary(
            c => c.Code,
            c => new WorkingDayCalendar(
                c.Code,
                TimeZoneInfo.FindSystemTimeZoneById(c.TimeZone),
                c.Weekend.Select(d => (DayOfWeek)d),
                days.Where(d => d.CalendarCode == c.Code).ToDictionary(d => d.Day, d => d.Kind == "working" ? DayKind.Working : DayKind.Holiday),
                c.KnownFrom,
                c.KnownUntil),
            StringComparer.Ordinal);
    }

    private sealed record CalendarRow(string Code, string NameEn, string NameZh, string TimeZone, short[] Weekend, DateOnly KnownFrom, DateOnly KnownUntil)
    {
        public CalendarView ToView() => new(
            Code, NameEn, NameZh, TimeZone, Weekend.Select(d => ((DayOfWeek)d).ToString().ToLowerInvariant()).ToList(), KnownFrom, KnownUntil);
    }

    private sealed class DayRow
    {
        public string? CalendarCode { get; init; }

        public DateOnly Day { get; init; }

        public string Kind { get; init; } = "";

        public string NameEn { get; init; } = "";

        public string NameZh { get; init; } = "";
    }
}
