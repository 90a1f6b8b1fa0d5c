using Tracemark.Server.Platform.Security;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Sharing;

public static class SharingSetup
{
    public static WebApplicationBuilder AddSharing(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<SharingGroupStore>();
        builder.Services.AddNavigation("/sharing-groups", "nav.sharing_groups", "read", 80);
        return builder;
    }

    public static WebApplication MapSharing(this WebApplication app)
    {
        var groups = app.MapGroup("/api/v1/sharing-groups").WithTags("Sharing groups");
        groups.MapGet("/", (SharingGroupStore store, CancellationToken cancellationToken) => store.ListAsync(cancellationToken))
            .WithSummary("Sharing groups the caller's organisation owns or belongs to.");
        groups.MapGet("/{id:guid}", (Guid id, SharingGroupStore store, CancellationToken cancellationToken) => store.GetAsync(id, cancellationToken))
            .WithSummary("One group, with the members the caller may see.");
        groups.MapPost("/", async (NewSharingGroup body, SharingGroupStore store, CancellationToken cancellationToken) =>
        {
            var group = await store.CreateAsync(body, cancellationToken);
            return TypedResults.Created($"/api/v1/sharing-groups/{group.Id}", group);
        }).RequireAuthorization(Policies.OrgAdmin).WithSummary("Create a sharing group owned by the caller's organisation.");
        groups.MapPatch("/{id:guid}", (Guid id, SharingGroupChange body, SharingGroupStore store, CancellationToken cancellationToken) => store.ChangeAsync(id, body, cancellationToken))
            .RequireAuthorization(Policies.OrgAdmin).WithSummary("Rename a group or change who sees its member list.");
        groups.MapPut("/{id:guid}/members/{organisationId:guid}", async (Guid id, Guid organisationId, SharingGroupStore store, CancellationToken cancellationToken) =>
        {
            await store.AddMemberAsync(id, organisationId, cancellationToken);
            return TypedResults.NoContent();
        }).RequireAuthorization(Policies.OrgAdmin).WithSummary("Add an organisation to a group.");
        groups.MapDelete("/{id:guid}/members/{organisationId:guid}", async (Guid id, Guid organisationId, SharingGroupStore store, CancellationToken cancellationToken) =>
        {
            await store.RemoveMemberAsync(id, organisationId, cancellationToken);
            return TypedResults.NoContent();
        }).RequireAuthorization(Policies.OrgAdmin).WithSummary("Remove an organisation from a group.");
        return app;
    }
}
