# Set-up, build, run and test SleepingLlm on Windows (x64). Same commands as build.sh:
#   .\build.ps1 [build|run|test] [-Cuda] [-Cpu] [-FromSource] [-CpuVariant NAME] [-- args for run]
param(
    [ValidateSet("build", "run", "test")] [string] $Command = "build",
    [switch] $Cuda, [switch] $Cpu, [switch] $FromSource, [string] $CpuVariant = "",
    [Parameter(ValueFromRemainingArguments = $true)] [string[]] $Rest = @()
)
$ErrorActionPreference = "Stop"
Set-Location $PSScriptRoot
if ($CpuVariant) { $env:SLEEPINGLLM_CPU_VARIANT = $CpuVariant }

function Die($message) { Write-Error "build.ps1: $message"; exit 1 }

if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) { Die "the .NET 10 SDK is needed: https://dotnet.microsoft.com/download/dotnet/10.0" }
if ([int]((dotnet --version).Split('.')[0]) -lt 10) { Die ".NET SDK 10 or newer is needed" }

# The pinned runtime (native/runtime.env), as native/fetch.sh does it on Linux and macOS.
$pin = @{}
Get-Content native/runtime.env | Where-Object { $_ -match '^\s*([A-Z_]+)=(.*)$' } | ForEach-Object { $pin[$Matches[1]] = $Matches[2] }
$cache = Join-Path $PSScriptRoot "native/.cache"
$runtime = Join-Path $cache "runtime"
$gpu = if ($Cpu) { "cpu" } elseif ($Cuda -or (Get-Command nvidia-smi -ErrorAction SilentlyContinue)) { "cuda" } else { "cpu" }
$platform = if ($gpu -eq "cuda") { "win-x64-cuda" } else { "win-x64" }
$variant = if ($FromSource) { "source-$gpu" } else { $platform }
$want = "release=$($pin.LLAMA_CPP_RELEASE) variant=$variant"
$manifest = Join-Path $runtime "manifest"

function Pack($name) {
    New-Item -ItemType Directory -Force (Join-Path $cache "npm") | Out-Null
    $file = Join-Path $cache ("npm/" + ($name.TrimStart('@') -replace '/', '-') + "-$($pin.NODE_LLAMA_CPP_VERSION).tgz")
    if (-not (Test-Path $file)) {
        Push-Location (Join-Path $cache "npm"); npm pack --silent "$name@$($pin.NODE_LLAMA_CPP_VERSION)" | Out-Null; Pop-Location
    }
    return $file
}

if (-not ((Test-Path $manifest) -and ((Get-Content $manifest) -eq $want) -and (Test-Path "$cache/include/llama.h"))) {
    if (-not (Get-Command npm -ErrorAction SilentlyContinue)) { Die "npm is needed to fetch llama.cpp (install Node.js)" }
    $src = Join-Path $cache "llama.cpp-$($pin.LLAMA_CPP_RELEASE)"
    if (-not (Test-Path "$src/include/llama.h")) {
        $tmp = New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) ([Guid]::NewGuid()))
        tar -xzf (Pack "node-llama-cpp") -C $tmp package/llama/gitRelease.bundle
        git clone --quiet "$tmp/package/llama/gitRelease.bundle" $src
        Remove-Item -Recurse -Force $tmp
    }
    Remove-Item -Recurse -Force "$cache/include" -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Force "$cache/include" | Out-Null
    Copy-Item "$src/include/llama.h", "$src/ggml/include/*.h" "$cache/include/"
    $stage = Join-Path $cache "runtime.new"
    Remove-Item -Recurse -Force $stage -ErrorAction SilentlyContinue
    New-Item -ItemType Directory $stage | Out-Null
    if ($FromSource) {
        $flags = @("-DCMAKE_BUILD_TYPE=Release", "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_TOOLS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF",
                   "-DLLAMA_BUILD_SERVER=OFF", "-DLLAMA_BUILD_COMMON=OFF", "-DBUILD_SHARED_LIBS=ON", "-DLLAMA_BUILD_IS_DEV=OFF")
        if ($gpu -eq "cuda") { $flags += "-DGGML_CUDA=ON" }
        cmake -S $src -B "$src/build-$gpu" @flags
        cmake --build "$src/build-$gpu" --config Release
        Get-ChildItem -Recurse "$src/build-$gpu" -Filter *.dll | Copy-Item -Destination $stage
    } else {
        $tmp = New-Item -ItemType Directory (Join-Path ([IO.Path]::GetTempPath()) ([Guid]::NewGuid()))
        tar -xzf (Pack "@node-llama-cpp/$platform") -C $tmp
        Get-ChildItem -Recurse "$tmp/package/bins" -Filter *.dll | Copy-Item -Destination $stage
        Remove-Item -Recurse -Force $tmp
    }
    Set-Content (Join-Path $stage "manifest") $want
    Remove-Item -Recurse -Force $runtime -ErrorAction SilentlyContinue
    Move-Item $stage $runtime
}

dotnet build SleepingLlm.sln -c Release -nologo -v q
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
$cli = "src/SleepingLlm.Cli/bin/Release/net10.0/sleepingllm.dll"
switch ($Command) {
    "build" { Write-Host "built: dotnet $cli --help" }
    "run" { dotnet $cli chat @Rest; exit $LASTEXITCODE }
    "test" { dotnet test SleepingLlm.sln -c Release --no-build -nologo @Rest; exit $LASTEXITCODE }
}
