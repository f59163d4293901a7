using System.Globalization;

namespace SleepingLlm.Gguf;

/// <summary>
/// One immutable metadata value: a scalar, a string, or an array of one element type. Arrays are
/// held as typed CLR arrays (<c>float[]</c>, <c>string[]</c>, ...) so a 50k-token vocabulary costs
/// one allocation, not 50k boxes; an array of arrays holds <see cref="GgufValue"/>[].
/// </summary>
public sealed class GgufValue : IEquatable<GgufValue>
{
    private readonly object _value;

    private GgufValue(GgufValueType type, object value, GgufValueType? elementType = null)
    {
        Type = type;
        _value = value;
        ElementType = elementType;
    }

    public GgufValueType Type { get; }

    /// <summary>The element type of an array; null for any other value.</summary>
    public GgufValueType? ElementType { get; }

    public bool IsArray => Type == GgufValueType.Array;

    /// <summary>How many arrays deep this value is: 0 for a scalar, 1 for an array of scalars.</summary>
    private int Depth => _value is GgufValue[] nested ? 1 + nested.Select(a => a.Depth).DefaultIfEmpty(0).Max() : IsArray ? 1 : 0;

    /// <summary>The number of elements of an array.</summary>
    /// <exception cref="InvalidOperationException">the value is not an array.</exception>
    public int ArrayLength => IsArray ? ((Array)_value).Length : throw WrongType("an array");

    public static GgufValue UInt8(byte value) => new(GgufValueType.UInt8, value);
    public static GgufValue Int8(sbyte value) => new(GgufValueType.Int8, value);
    public static GgufValue UInt16(ushort value) => new(GgufValueType.UInt16, value);
    public static GgufValue Int16(short value) => new(GgufValueType.Int16, value);
    public static GgufValue UInt32(uint value) => new(GgufValueType.UInt32, value);
    public static GgufValue Int32(int value) => new(GgufValueType.Int32, value);
    public static GgufValue UInt64(ulong value) => new(GgufValueType.UInt64, value);
    public static GgufValue Int64(long value) => new(GgufValueType.Int64, value);
    public static GgufValue Float32(float value) => new(GgufValueType.Float32, value);
    public static GgufValue Float64(double value) => new(GgufValueType.Float64, value);
    public static GgufValue Bool(bool value) => new(GgufValueType.Bool, value);
    public static GgufValue String(string value) => new(GgufValueType.String, value ?? throw new ArgumentNullException(nameof(value)));

    // Arrays are copied so that a caller changing its array later cannot change this value.
    public static GgufValue ArrayOf(params byte[] values) => Arr(GgufValueType.UInt8, values);
    public static GgufValue ArrayOf(params sbyte[] values) => Arr(GgufValueType.Int8, values);
    public static GgufValue ArrayOf(params ushort[] values) => Arr(GgufValueType.UInt16, values);
    public static GgufValue ArrayOf(params short[] values) => Arr(GgufValueType.Int16, values);
    public static GgufValue ArrayOf(params uint[] values) => Arr(GgufValueType.UInt32, values);
    public static GgufValue ArrayOf(params int[] values) => Arr(GgufValueType.Int32, values);
    public static GgufValue ArrayOf(params ulong[] values) => Arr(GgufValueType.UInt64, values);
    public static GgufValue ArrayOf(params long[] values) => Arr(GgufValueType.Int64, values);
    public static GgufValue ArrayOf(params float[] values) => Arr(GgufValueType.Float32, values);
    public static GgufValue ArrayOf(params double[] values) => Arr(GgufValueType.Float64, values);
    public static GgufValue ArrayOf(params bool[] values) => Arr(GgufValueType.Bool, values);

    public static GgufValue ArrayOf(params string[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Any(v => v is null)) throw new ArgumentException("array elements must not be null", nameof(values));
        return Arr(GgufValueType.String, values);
    }

    /// <summary>An array of arrays; each element is itself an array (of any element type).</summary>
    public static GgufValue ArrayOf(params GgufValue[] arrays)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        if (arrays.Any(a => a is null || !a.IsArray))
            throw new ArgumentException("elements of a nested array must themselves be arrays", nameof(arrays));
        // The reader refuses deeper nesting, so writing it would make an unreadable file.
        if (arrays.Any(a => a.Depth >= GgufReader.MaxArrayNesting))
            throw new ArgumentException($"arrays cannot nest more than {GgufReader.MaxArrayNesting} deep", nameof(arrays));
        return Arr(GgufValueType.Array, arrays);
    }

    private static GgufValue Arr<T>(GgufValueType elementType, T[] values) =>
        new(GgufValueType.Array, (values ?? throw new ArgumentNullException(nameof(values))).ToArray(), elementType);

    /// <summary>The boxed scalar, string or typed array, for the writer.</summary>
    internal object RawValue => _value;

    /// <summary>Wraps an array the reader built, without the defensive copy.</summary>
    internal static GgufValue OwnedArray(GgufValueType elementType, Array values) => new(GgufValueType.Array, values, elementType);

    /// <summary>
    /// The scalar or string as its CLR type: <c>Get&lt;uint&gt;()</c> for UInt32, <c>Get&lt;string&gt;()</c>
    /// for String; no conversions (use <see cref="TryGetInt64"/> for "any integer").
    /// </summary>
    /// <exception cref="InvalidOperationException">the value has another type.</exception>
    public T Get<T>() => !IsArray && _value is T v ? v : throw WrongType(typeof(T).Name);

    /// <summary>The elements of an array whose element type maps to <typeparamref name="T"/>
    /// (<c>string</c> for strings, <see cref="GgufValue"/> for nested arrays).</summary>
    /// <exception cref="InvalidOperationException">the value is not such an array.</exception>
    public IReadOnlyList<T> GetArray<T>() =>
        TryGetArray<T>(out var items) ? items : throw WrongType($"an array of {typeof(T).Name}");

    public bool TryGetArray<T>(out IReadOnlyList<T> items)
    {
        // An exact type test: the CLR lets a byte[] pass as sbyte[] (and int[] as uint[]).
        var ok = IsArray && _value.GetType() == typeof(T[]);
        items = ok ? Array.AsReadOnly((T[])_value) : [];
        return ok;
    }

    /// <summary>Any integer type as a long: writers disagree on u32/i32/u64 for counts. False for
    /// non-integers (bools included) and for a UInt64 above <see cref="long.MaxValue"/>.</summary>
    public bool TryGetInt64(out long value)
    {
        (var ok, value) = _value switch
        {
            byte v => (true, v),
            sbyte v => (true, v),
            ushort v => (true, v),
            short v => (true, v),
            uint v => (true, v),
            int v => (true, v),
            long v => (true, v),
            ulong v when v <= long.MaxValue => (true, (long)v),
            _ => (false, 0L),
        };
        return ok;
    }

    /// <summary>A Float32 or Float64 as a double.</summary>
    public bool TryGetDouble(out double value)
    {
        (var ok, value) = _value switch
        {
            float f => (true, f),
            double d => (true, d),
            _ => (false, 0d),
        };
        return ok;
    }

    public bool Equals(GgufValue? other)
    {
        if (other is null || other.Type != Type || other.ElementType != ElementType) return false;
        return (_value, other._value) switch
        {
            (GgufValue[] a, GgufValue[] b) => a.SequenceEqual(b),
            (string[] a, string[] b) => a.SequenceEqual(b, StringComparer.Ordinal),
            (Array a, Array b) => a.Length == b.Length && ((System.Collections.IStructuralEquatable)a).Equals(b, EqualityComparer<object>.Default),
            _ => _value.Equals(other._value),
        };
    }

    public override bool Equals(object? obj) => Equals(obj as GgufValue);

    public override int GetHashCode() => HashCode.Combine(Type, ElementType, IsArray ? ((Array)_value).Length : _value.GetHashCode());

    /// <summary>For display: invariant numbers, quoted strings, arrays summarised by type and length.</summary>
    public override string ToString() => _value switch
    {
        Array a => $"[{ElementType} x {a.Length}]",
        string s => GgufFormatException.Quote(s),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => _value.ToString() ?? "",
    };

    private InvalidOperationException WrongType(string wanted) =>
        new($"GGUF value is {(IsArray ? $"an array of {ElementType}" : Type.ToString())}, not {wanted}");
}
