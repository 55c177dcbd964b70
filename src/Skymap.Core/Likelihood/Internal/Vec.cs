using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Skymap.Core.Likelihood.Internal;

#pragma warning disable CA1000 // Static members on generic types: this is the point of the struct-operator pattern.
#pragma warning disable CA2225 // Operator overloads have named alternates: internal plumbing.
#pragma warning disable CA1815 // Equals/GetHashCode: value wrappers never compared.

/// <summary>
/// A fixed-width vector of doubles with static abstract operations, so that one generic kernel body serves
/// Vector128, Vector256 and Vector512 (the struct-operator pattern of STYLE.md). Masks are vectors whose
/// lanes are all-ones (true) or zero (false), as the hardware comparisons return.
/// </summary>
internal interface IVec<TSelf>
    where TSelf : struct, IVec<TSelf>
{
    static abstract int Count { get; }

    static abstract bool IsHardwareAccelerated { get; }

    static abstract TSelf Create(double value);

    /// <summary>(0, 1, 2, …).</summary>
    static abstract TSelf Indices { get; }

    static abstract TSelf Load(ref double source);

    static abstract void Store(TSelf value, ref double destination);

    static abstract TSelf operator +(TSelf a, TSelf b);

    static abstract TSelf operator -(TSelf a, TSelf b);

    static abstract TSelf operator *(TSelf a, TSelf b);

    static abstract TSelf operator /(TSelf a, TSelf b);

    static abstract TSelf operator &(TSelf a, TSelf b);

    static abstract TSelf operator |(TSelf a, TSelf b);

    /// <summary>a·b + c.</summary>
    static abstract TSelf Fma(TSelf a, TSelf b, TSelf c);

    static abstract TSelf Sqrt(TSelf a);

    /// <summary>The BCL's vectorised e^x (a call: its vector arguments go through the stack).</summary>
    static abstract TSelf Exp(TSelf a);

    /// <summary>The BCL's vectorised ln x (a call: its vector arguments go through the stack).</summary>
    static abstract TSelf Log(TSelf a);

    /// <summary>Every lane holds the given bit pattern.</summary>
    static abstract TSelf FromBits(long bits);

    /// <summary>Lanes as 64-bit integers, shifted left.</summary>
    static abstract TSelf ShiftLeftBits(TSelf a, int count);

    /// <summary>Lanes as 64-bit unsigned integers, shifted right.</summary>
    static abstract TSelf ShiftRightBits(TSelf a, int count);

    /// <summary>Lanes as 64-bit integers: a + b.</summary>
    static abstract TSelf AddBits(TSelf a, TSelf b);

    /// <summary>Lanes as 64-bit integers: a − b.</summary>
    static abstract TSelf SubtractBits(TSelf a, TSelf b);

    static abstract TSelf Abs(TSelf a);

    static abstract TSelf Max(TSelf a, TSelf b);

    static abstract TSelf Min(TSelf a, TSelf b);

    static abstract TSelf LessThan(TSelf a, TSelf b);

    static abstract TSelf LessThanOrEqual(TSelf a, TSelf b);

    static abstract TSelf GreaterThan(TSelf a, TSelf b);

    static abstract TSelf Equal(TSelf a, TSelf b);

    /// <summary>Lane-wise mask ? a : b.</summary>
    static abstract TSelf Select(TSelf mask, TSelf a, TSelf b);

    /// <summary>a and not b (bitwise).</summary>
    static abstract TSelf AndNot(TSelf a, TSelf b);

    static abstract bool AllTrue(TSelf mask);

    static abstract bool AnyTrue(TSelf mask);

    static abstract double Sum(TSelf a);

    static abstract double GetElement(TSelf a, int index);
}

/// <summary>Two-lane <see cref="Vector128{T}"/> of doubles.</summary>
internal readonly struct V128(Vector128<double> v) : IVec<V128>
{
    public readonly Vector128<double> V = v;

    public static int Count => Vector128<double>.Count;

    public static bool IsHardwareAccelerated => Vector128.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Create(double value) => new(Vector128.Create(value));

    public static V128 Indices => new(Vector128<double>.Indices);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Load(ref double source) => new(Vector128.LoadUnsafe(ref source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(V128 value, ref double destination) => value.V.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 operator +(V128 a, V128 b) => new(a.V + b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 operator -(V128 a, V128 b) => new(a.V - b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 operator *(V128 a, V128 b) => new(a.V * b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 operator /(V128 a, V128 b) => new(a.V / b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 operator &(V128 a, V128 b) => new(a.V & b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 operator |(V128 a, V128 b) => new(a.V | b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Fma(V128 a, V128 b, V128 c) => new(Vector128.FusedMultiplyAdd(a.V, b.V, c.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Sqrt(V128 a) => new(Vector128.Sqrt(a.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Exp(V128 a) => new(Vector128.Exp(a.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Log(V128 a) => new(Vector128.Log(a.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 FromBits(long bits) => new(Vector128.Create(bits).AsDouble());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 ShiftLeftBits(V128 a, int count) => new(Vector128.ShiftLeft(a.V.AsInt64(), count).AsDouble());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 ShiftRightBits(V128 a, int count) => new(Vector128.ShiftRightLogical(a.V.AsUInt64(), count).AsDouble());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 AddBits(V128 a, V128 b) => new((a.V.AsInt64() + b.V.AsInt64()).AsDouble());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 SubtractBits(V128 a, V128 b) => new((a.V.AsInt64() - b.V.AsInt64()).AsDouble());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Abs(V128 a) => new(Vector128.Abs(a.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Max(V128 a, V128 b) => new(Vector128.Max(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Min(V128 a, V128 b) => new(Vector128.Min(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 LessThan(V128 a, V128 b) => new(Vector128.LessThan(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 LessThanOrEqual(V128 a, V128 b) => new(Vector128.LessThanOrEqual(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 GreaterThan(V128 a, V128 b) => new(Vector128.GreaterThan(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Equal(V128 a, V128 b) => new(Vector128.Equals(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 Select(V128 mask, V128 a, V128 b) => new(Vector128.ConditionalSelect(mask.V, a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V128 AndNot(V128 a, V128 b) => new(Vector128.AndNot(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AllTrue(V128 mask) => Vector128.ExtractMostSignificantBits(mask.V) == (1u << Count) - 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AnyTrue(V128 mask) => Vector128.ExtractMostSignificantBits(mask.V) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(V128 a) => Vector128.Sum(a.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double GetElement(V128 a, int index) => a.V.GetElement(index);
}

/// <summary>Four-lane <see cref="Vector256{T}"/> of doubles.</summary>
internal readonly struct V256(Vector256<double> v) : IVec<V256>
{
    public readonly Vector256<double> V = v;

    public static int Count => Vector256<double>.Count;

    public static bool IsHardwareAccelerated => Vector256.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Create(double value) => new(Vector256.Create(value));

    public static V256 Indices => new(Vector256<double>.Indices);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Load(ref double source) => new(Vector256.LoadUnsafe(ref source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(V256 value, ref double destination) => value.V.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 operator +(V256 a, V256 b) => new(a.V + b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 operator -(V256 a, V256 b) => new(a.V - b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 operator *(V256 a, V256 b) => new(a.V * b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 operator /(V256 a, V256 b) => new(a.V / b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 operator &(V256 a, V256 b) => new(a.V & b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 operator |(V256 a, V256 b) => new(a.V | b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Fma(V256 a, V256 b, V256 c) => new(Vector256.FusedMultiplyAdd(a.V, b.V, c.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Sqrt(V256 a) => new(Vector256.Sqrt(a.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Exp(V256 a) => new(Vector256.Exp(a.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Log(V256 a) => new(Vector256.Log(a.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 FromBits(long bits) => new(Vector256.Create(bits).AsDouble());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 ShiftLeftBits(V256 a, int count) => new(Vector256.ShiftLeft(a.V.AsInt64(), count).AsDouble());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 ShiftRightBits(V256 a, int count) => new(Vector256.ShiftRightLogical(a.V.AsUInt64(), count).AsDouble());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 AddBits(V256 a, V256 b) => new((a.V.AsInt64() + b.V.AsInt64()).AsDouble());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 SubtractBits(V256 a, V256 b) => new((a.V.AsInt64() - b.V.AsInt64()).AsDouble());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Abs(V256 a) => new(Vector256.Abs(a.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Max(V256 a, V256 b) => new(Vector256.Max(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Min(V256 a, V256 b) => new(Vector256.Min(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 LessThan(V256 a, V256 b) => new(Vector256.LessThan(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 LessThanOrEqual(V256 a, V256 b) => new(Vector256.LessThanOrEqual(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 GreaterThan(V256 a, V256 b) => new(Vector256.GreaterThan(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Equal(V256 a, V256 b) => new(Vector256.Equals(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 Select(V256 mask, V256 a, V256 b) => new(Vector256.ConditionalSelect(mask.V, a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V256 AndNot(V256 a, V256 b) => new(Vector256.AndNot(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AllTrue(V256 mask) => Vector256.ExtractMostSignificantBits(mask.V) == (1u << Count) - 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AnyTrue(V256 mask) => Vector256.ExtractMostSignificantBits(mask.V) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(V256 a) => Vector256.Sum(a.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double GetElement(V256 a, int index) => a.V.GetElement(index);
}

/// <summary>Eight-lane <see cref="Vector512{T}"/> of doubles.</summary>
internal readonly struct V512(Vector512<double> v) : IVec<V512>
{
    public readonly Vector512<double> V = v;

    public static int Count => Vector512<double>.Count;

    public static bool IsHardwareAccelerated => Vector512.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Create(double value) => new(Vector512.Create(value));

    public static V512 Indices => new(Vector512<double>.Indices);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Load(ref double source) => new(Vector512.LoadUnsafe(ref source));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(V512 value, ref double destination) => value.V.StoreUnsafe(ref destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 operator +(V512 a, V512 b) => new(a.V + b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 operator -(V512 a, V512 b) => new(a.V - b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 operator *(V512 a, V512 b) => new(a.V * b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 operator /(V512 a, V512 b) => new(a.V / b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 operator &(V512 a, V512 b) => new(a.V & b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 operator |(V512 a, V512 b) => new(a.V | b.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Fma(V512 a, V512 b, V512 c) => new(Vector512.FusedMultiplyAdd(a.V, b.V, c.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Sqrt(V512 a) => new(Vector512.Sqrt(a.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Exp(V512 a) => new(Vector512.Exp(a.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Log(V512 a) => new(Vector512.Log(a.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 FromBits(long bits) => new(Vector512.Create(bits).AsDouble());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 ShiftLeftBits(V512 a, int count) => new(Vector512.ShiftLeft(a.V.AsInt64(), count).AsDouble());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 ShiftRightBits(V512 a, int count) => new(Vector512.ShiftRightLogical(a.V.AsUInt64(), count).AsDouble());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 AddBits(V512 a, V512 b) => new((a.V.AsInt64() + b.V.AsInt64()).AsDouble());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 SubtractBits(V512 a, V512 b) => new((a.V.AsInt64() - b.V.AsInt64()).AsDouble());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Abs(V512 a) => new(Vector512.Abs(a.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Max(V512 a, V512 b) => new(Vector512.Max(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Min(V512 a, V512 b) => new(Vector512.Min(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 LessThan(V512 a, V512 b) => new(Vector512.LessThan(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 LessThanOrEqual(V512 a, V512 b) => new(Vector512.LessThanOrEqual(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 GreaterThan(V512 a, V512 b) => new(Vector512.GreaterThan(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Equal(V512 a, V512 b) => new(Vector512.Equals(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 Select(V512 mask, V512 a, V512 b) => new(Vector512.ConditionalSelect(mask.V, a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V512 AndNot(V512 a, V512 b) => new(Vector512.AndNot(a.V, b.V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AllTrue(V512 mask) => Vector512.ExtractMostSignificantBits(mask.V) == (1ul << Count) - 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AnyTrue(V512 mask) => Vector512.ExtractMostSignificantBits(mask.V) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(V512 a) => Vector512.Sum(a.V);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double GetElement(V512 a, int index) => a.V.GetElement(index);
}
