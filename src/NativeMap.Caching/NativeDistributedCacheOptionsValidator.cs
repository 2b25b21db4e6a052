using Microsoft.Extensions.Options;

namespace NativeMap.Caching;

/// <summary>Runs <see cref="NativeDistributedCacheOptions.Validate"/> for the options pattern, so that a bad setting
/// fails at start-up with an <see cref="OptionsValidationException"/> rather than at the first request.</summary>
internal sealed class NativeDistributedCacheOptionsValidator : IValidateOptions<NativeDistributedCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, NativeDistributedCacheOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
