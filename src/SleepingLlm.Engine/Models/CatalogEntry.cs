namespace SleepingLlm.Models;

/// <summary>
/// One downloadable model of the catalog: where it comes from, and the size and sha256 that a download
/// must match before it is allowed under its final name.
/// </summary>
/// <param name="Name">What users type: `pull NAME`, `--model NAME`.</param>
/// <param name="File">The file name it is stored under in a model directory (no directories).</param>
public sealed record CatalogEntry(
    string Name,
    string File,
    string Url,
    long Size,
    string Sha256,
    string? Description = null,
    string? License = null);
