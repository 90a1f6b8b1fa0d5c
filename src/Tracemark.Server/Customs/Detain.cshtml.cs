using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Tracemark.Core.Customs;
using Tracemark.Core.Errors;
using Tracemark.Server.Platform.Web;

namespace Tracemark.Server.Customs;

public sealed class DetainModel(LineStore lines, DetentionStore detentions, IStringLocalizer<CustomsText> text) : TracemarkPageModel
{
    [BindProperty(SupportsGet = true)]
    public List<Guid> LineIds { get; set; } = [];

    [BindProperty]
    public string? Measure { get; set; } = "detention";

    [BindProperty]
    public string? Mode { get; set; }

    [BindProperty]
    public string? Procedure { get; set; }

    [BindProperty]
    public bool Perishable { get; set; }

    [BindProperty]
    public string? StorageLocation { get; set; }

    [BindProperty]
    public string? Quantity { get; set; }

    [BindProperty]
    public string? Unit { get; set; }

    [BindProperty]
    public bool DeclarantNotified { get; set; }

    public List<LineView> Lines { get; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        return await AttemptAsync(async () =>
        {
            var rules = new FieldRules();
            decimal? quantity = null;
            if (!string.IsNullOrWhiteSpace(Quantity))
            {
                if (decimal.TryParse(Quantity.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var parsed))
                {
                    quantity = parsed;
                }
                else
                {
                    rules.Add("quantity", "customs.amount_invalid", Quantity.Trim());
                }
            }

            DetentionMode? mode = null;
            if (!string.IsNullOrEmpty(Mode))
            {
                mode = DetentionRules.TryParse<DetentionMode>(Mode, out var parsedMode) ? parsedMode : null;
                if (mode is null)
                {
                    rules.Add("mode", "invalid_value");
                }
            }

            var procedure = Procedure == "small_consignment" ? DetentionProcedure.SmallConsignment : DetentionProcedure.Standard;
            rules.ThrowIfAny();
            var detention = await detentions.CreateAsync(
                new NewDetention(LineIds, null, Measure, mode, procedure, Perishable, null, null, quantity, Unit, null, StorageLocation, DeclarantNotified, null, null),
                cancellationToken);
            Flash = text["detain.done", detention.Reference];
            return Redirect($"/customs/detentions/{detention.Id}");
        });
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        CustomsAccess.RequireCustoms(Caller);
        foreach (var id in LineIds.Distinct().Take(200))
        {
            Lines.Add(await lines.GetAsync(id, cancellationToken));
        }
    }
}
