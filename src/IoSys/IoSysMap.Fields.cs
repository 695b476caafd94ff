using System.Runtime.CompilerServices;

namespace IoSys;

/// <summary>
/// Selects one field of a struct, for <see cref="IoSysMap.ReadField{TStruct, TField}(long, FieldSelector{TStruct, TField})"/>:
/// <c>static (ref MyRegs r) =&gt; ref r.Status</c>. It must return a reference into the struct it is given.
/// </summary>
/// <typeparam name="TStruct">The struct type, laid out as the device's memory is.</typeparam>
/// <typeparam name="TField">The field's type; its size is the access width.</typeparam>
/// <param name="value">The struct.</param>
/// <returns>A reference to the field within <paramref name="value"/>.</returns>
public delegate ref TField FieldSelector<TStruct, TField>(ref TStruct value)
    where TStruct : unmanaged
    where TField : unmanaged;

public unsafe partial class IoSysMap
{
    /// <summary>
    /// Reads one field of a <typeparamref name="TStruct"/> laid out at <paramref name="structOffset"/>, with the
    /// field's own width (the kernel's <c>iosys_map_rd_field</c>): offset = structOffset + offsetof(field).
    /// </summary>
    /// <typeparam name="TStruct">The struct type.</typeparam>
    /// <typeparam name="TField">The field type.</typeparam>
    /// <param name="structOffset">Offset of the struct, in bytes from the start of the map.</param>
    /// <param name="field">Selects the field, e.g. <c>static (ref Regs r) =&gt; ref r.Status</c>.</param>
    /// <returns>The field's value.</returns>
    /// <exception cref="ArgumentException"><paramref name="field"/> does not return a field of the struct it is given.</exception>
    /// <exception cref="IoAccessException">The field's access is out of range, misaligned or refused.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public TField ReadField<TStruct, TField>([IoOffset] long structOffset, FieldSelector<TStruct, TField> field)
        where TStruct : unmanaged
        where TField : unmanaged =>
        Read<TField>(FieldOffset(structOffset, field));

    /// <summary>
    /// Writes one field of a <typeparamref name="TStruct"/> at <paramref name="structOffset"/>, with the field's own
    /// width (the kernel's <c>iosys_map_wr_field</c>). Nothing else of the struct is touched.
    /// </summary>
    /// <typeparam name="TStruct">The struct type.</typeparam>
    /// <typeparam name="TField">The field type.</typeparam>
    /// <param name="structOffset">Offset of the struct, in bytes from the start of the map.</param>
    /// <param name="field">Selects the field.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="ArgumentException"><paramref name="field"/> does not return a field of the struct it is given.</exception>
    /// <exception cref="IoAccessException">The field's access is out of range, misaligned, refused or read-only.</exception>
    /// <exception cref="ObjectDisposedException">The map is disposed.</exception>
    public void WriteField<TStruct, TField>([IoOffset] long structOffset, FieldSelector<TStruct, TField> field, TField value)
        where TStruct : unmanaged
        where TField : unmanaged =>
        Write(FieldOffset(structOffset, field), value);

    /// <summary>The offset of a field within its struct, in bytes (C's <c>offsetof</c>).</summary>
    /// <typeparam name="TStruct">The struct type.</typeparam>
    /// <typeparam name="TField">The field type.</typeparam>
    /// <param name="field">Selects the field.</param>
    /// <returns>The field's offset from the start of the struct.</returns>
    /// <exception cref="ArgumentException"><paramref name="field"/> does not return a field of the struct it is given.</exception>
    public static long OffsetOf<TStruct, TField>(FieldSelector<TStruct, TField> field)
        where TStruct : unmanaged
        where TField : unmanaged
    {
        ArgumentNullException.ThrowIfNull(field);
        TStruct probe = default;
        ref TField selected = ref field(ref probe);
        nint offset = Unsafe.ByteOffset(ref Unsafe.As<TStruct, byte>(ref probe), ref Unsafe.As<TField, byte>(ref selected));
        if (offset < 0 || offset > sizeof(TStruct) - sizeof(TField))
        {
            throw new ArgumentException(
                $"The selector must return a reference to a field of the {typeof(TStruct).Name} it is given.", nameof(field));
        }

        return offset;
    }

    private static long FieldOffset<TStruct, TField>(long structOffset, FieldSelector<TStruct, TField> field)
        where TStruct : unmanaged
        where TField : unmanaged
    {
        long fieldOffset = OffsetOf(field);
        // A negative struct offset is out of range even if its field would land inside the map, and one so large
        // that adding the field overflows must not wrap: pass the struct offset itself, which the access check
        // refuses (and names) as out of range.
        return structOffset < 0 || structOffset > long.MaxValue - fieldOffset ? structOffset : structOffset + fieldOffset;
    }
}
