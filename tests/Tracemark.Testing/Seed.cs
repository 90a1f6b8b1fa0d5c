using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Tracemark.Core.Accounts;
using Tracemark.Core.Organisations;
using Tracemark.Server.Accounts;

namespace Tracemark.Testing;

public sealed record TestUser(Guid Id, Guid OrganisationId, string Email, string Password, Role Role, bool IsPlatformAdmin);

/// <summary>Creates organisations, people and API keys straight in the database, the way an administrator's actions would leave them.</summary>
public static partial class Seed
{
    private static readonly PasswordHasher<AppUser> Hasher = new();

    public static async Task<Guid> OrganisationAsync(TracemarkFactory factory, OrganisationKind kind, string? nameEn = null, bool onPartnerNode = false)
    {
        var id = Guid.CreateVersion7();
        await using var connection = await factory.OpenOwnerConnectionAsync();
        Guid node;
        if (onPartnerNode)
        {
            node = Guid.CreateVersion7();
            await connection.ExecuteAsync(
                "INSERT INTO nodes (id, code, name_en, name_zh, is_local) VALUES (@node, @code, 'Partner node', '合作节点', false)",
                new { node, code = "partner-" + node.ToString("N")[..12] });
        }
        else
        {
            node = await connection.QuerySingleAsync<Guid>("SELECT id FROM nodes WHERE is_local");
        }

        await connection.ExecuteAsync(
            "INSERT INTO organisations (id, node_id, kind, name_en, name_zh, country) VALUES (@id, @node, @kind, @nameEn, @nameZh, 'CN')",
            new { id, node, kind = kind.ToWire(), nameEn = nameEn ?? $"{kind} {id:N}", nameZh = $"测试机构 {id:N}" });
        return id;
    }

    public static async Task<TestUser> UserAsync(TracemarkFactory factory, Guid organisationId, Role role, bool platformAdmin = false, string? language = null)
    {
        var id = Guid.CreateVersion7();
        var email = $"{role.ToWire().Replace('_', '-')}.{id:N}@test.tracemark.example";
        var password = "pw-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var user = new AppUser { Id = id, Email = email };
        await using var connection = await factory.OpenOwnerConnectionAsync();
        await connection.ExecuteAsync(
            """
            INSERT INTO users (id, organisation_id, email, normalized_email, display_name, role, is_platform_admin, password_hash, security_stamp, concurrency_stamp, preferred_language)
            VALUES (@id, @organisationId, @email, upper(@email), @name, @role, @platformAdmin, @hash, @stamp, @stamp, @language)
            """,
            new { id, organisationId, email, name = $"Test {role}", role = role.ToWire(), platformAdmin, hash = Hasher.HashPassword(user, password), stamp = Guid.NewGuid().ToString("N"), language });
        return new TestUser(id, organisationId, email, password, role, platformAdmin);
    }

    /// <summary>An API key for the organisation; returns the key as a client would send it.</summary>
    public static async Task<string> ApiKeyAsync(TracemarkFactory factory, Guid organisationId, string[] scopes, DateTimeOffset? expiresAt = null)
    {
        var (prefix, secret, key) = ApiKeyFormat.Generate();
        await using var connection = await factory.OpenOwnerConnectionAsync();
        await connection.ExecuteAsync(
            "INSERT INTO api_keys (id, organisation_id, name, prefix, secret_hash, scopes, expires_at) VALUES (@id, @organisationId, 'test key', @prefix, @hash, @scopes, @expiresAt)",
            new { id = Guid.CreateVersion7(), organisationId, prefix, hash = ApiKeyFormat.Hash(secret), scopes, expiresAt = expiresAt ?? factory.Clock.GetUtcNow().AddDays(30) });
        return key;
    }

    public static HttpClient ApiClient(this TracemarkFactory factory, string apiKey, string? language = null)
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        if (language is not null)
        {
            client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
        }

        return client;
    }

    /// <summary>A client signed in through the real sign-in form (antiforgery token and all), holding the session cookie.</summary>
    public static async Task<HttpClient> SignedInClientAsync(this TracemarkFactory factory, TestUser user)
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var response = await client.PostAsync("/login", await LoginFormAsync(client, user.Email, user.Password));
        if (response.StatusCode != System.Net.HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Sign-in of {user.Email} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return client;
    }

    public static async Task<FormUrlEncodedContent> LoginFormAsync(HttpClient client, string email, string password)
    {
        var page = await client.GetStringAsync("/login");
        return new FormUrlEncodedContent(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Email"] = email,
            ["Password"] = password,
            ["__RequestVerificationToken"] = AntiforgeryToken(page),
        });
    }

    public static string AntiforgeryToken(string html) =>
        AntiforgeryPattern().Match(html) is { Success: true } match ? match.Groups["token"].Value : throw new InvalidOperationException("The page has no antiforgery token.");

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"(?<token>[^\"]+)\"", RegexOptions.ExplicitCapture, matchTimeoutMilliseconds: 1000)]
    private static partial Regex AntiforgeryPattern();
}
