using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Linq;
using IoSys.Registers.Descriptions.Svd;

namespace IoSys.Registers.Descriptions;

/// <summary>One field of a decoded register value.</summary>
public readonly struct DecodedField
{
    internal DecodedField(FieldDescription field, ulong value, EnumeratedValue? meaning)
    {
        Field = field;
        Value = value;
        Meaning = meaning;
    }

    /// <summary>The field's description (name, bits, access).</summary>
    public FieldDescription Field { get; }

    /// <summary>The field's value, shifted down to bit 0.</summary>
    public ulong Value { get; }

    /// <summary>The enumerated value that names <see cref="Value"/> (from a set describing reads), or null.</summary>
    public EnumeratedValue? Meaning { get; }

    /// <summary>The field as <c>NAME[msb:lsb] = 0xV (MEANING)</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() =>
        Field.Name + Field.BitRangeText() + " = 0x" + Value.ToString("X", CultureInfo.InvariantCulture) + (Meaning is null ? string.Empty : " (" + Meaning.Name + ")");
}

/// <summary>
/// A planned write of a register: either the whole register, or one field by read-modify-write. The new value is
/// <c>(current &amp; PreserveMask) | Value | ForcedOnes</c> (<see cref="Apply"/>); when <see cref="RequiresRead"/>
/// is false, <c>current</c> is not needed.
/// </summary>
public sealed class RegisterWrite
{
    internal RegisterWrite(RegisterDescription register, FieldDescription? field, ulong mask, ulong value, ulong preserveMask, ulong forcedOnes)
    {
        Register = register;
        Field = field;
        Mask = mask;
        Value = value;
        PreserveMask = preserveMask;
        ForcedOnes = forcedOnes;
    }

    /// <summary>The register written.</summary>
    public RegisterDescription Register { get; }

    /// <summary>The field written, or null for a whole-register write.</summary>
    public FieldDescription? Field { get; }

    /// <summary>The bits the write sets to <see cref="Value"/>: the field's bits, or all of the register's.</summary>
    public ulong Mask { get; }

    /// <summary>The new bits, in place (already shifted to the field's position).</summary>
    public ulong Value { get; }

    /// <summary>
    /// The bits kept from the current value: the register's other bits, except those of fields where writing back
    /// what was read would act (write-one-to-clear, -set, -toggle bits are written as 0 instead; write-zero-to-*
    /// bits as 1, in <see cref="ForcedOnes"/>; write-only fields as 0).
    /// </summary>
    public ulong PreserveMask { get; }

    /// <summary>Bits written as 1 whatever was read: other fields whose 0 would act (<see cref="ModifiedWriteValues.ZeroToClear"/> and kin).</summary>
    public ulong ForcedOnes { get; }

    /// <summary>Whether the current value must be read first (a read-modify-write).</summary>
    public bool RequiresRead => PreserveMask != 0;

    /// <summary>The value to write, given the register's current value (ignored when <see cref="RequiresRead"/> is false).</summary>
    /// <param name="current">The value read from the register.</param>
    /// <returns>The value to write, within the register's size.</returns>
    public ulong Apply(ulong current) => ((current & PreserveMask) | Value | ForcedOnes) & Register.SizeMask;

    /// <summary>What the write does, e.g. <c>read-modify-write of UARTEN[0]: mask 0x1, value 0x1</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => Field is null
        ? string.Format(CultureInfo.InvariantCulture, "write of {0}: value 0x{1:X}", Register.Name, Value)
        : string.Format(CultureInfo.InvariantCulture, "{0} of {1}{2}: mask 0x{3:X}, value 0x{4:X}", RequiresRead ? "read-modify-write" : "write", Field.Name, Field.BitRangeText(), Mask, Value);
}

/// <summary>
/// Decodes register values field by field and encodes <c>FIELD=value</c> writes, from a register description; and
/// resolves names (<c>CR</c>, <c>CR.UARTEN</c>, <c>CH[3]</c>, <c>CLUSTER.REG</c>) in a peripheral. Errors are
/// messages naming the register, field, value and bits at fault (<c>Try*</c>), or <see cref="ArgumentException"/>s
/// with the same messages.
/// </summary>
public static class RegisterCodec
{
    /// <summary>Splits a register value into its fields.</summary>
    /// <param name="register">The register's description.</param>
    /// <param name="raw">The value read (bits above the register's size are ignored).</param>
    /// <returns>Each field, in description order, with its value and enumerated meaning.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="register"/> is null.</exception>
    public static IReadOnlyList<DecodedField> Decode(RegisterDescription register, ulong raw)
    {
        if (register is null)
        {
            throw new ArgumentNullException(nameof(register));
        }

        raw &= register.SizeMask;
        var result = new DecodedField[register.Fields.Count];
        for (int i = 0; i < result.Length; i++)
        {
            FieldDescription f = register.Fields[i];
            ulong value = (raw & f.Mask) >> f.Lsb;
            EnumeratedValue? meaning = null;
            foreach (EnumeratedValueSet set in f.EnumeratedValueSets)
            {
                if (set.DescribesReads && set.Match(value) is { } m)
                {
                    meaning = m;
                    break;
                }
            }

            result[i] = new DecodedField(f, value, meaning);
        }

        return result;
    }

    /// <summary>
    /// Parses a field value: a number (decimal, <c>0x</c> hex, <c>#</c> or <c>0b</c> binary) or the name of one of
    /// the field's enumerated values that describe writes.
    /// </summary>
    /// <param name="field">The field.</param>
    /// <param name="text">The value text.</param>
    /// <param name="value">The value, shifted down to bit 0.</param>
    /// <param name="error">Why the text is not a value of the field, or null.</param>
    /// <returns>True when <paramref name="value"/> fits the field.</returns>
    public static bool TryParseFieldValue(FieldDescription field, string text, out ulong value, [NotNullWhen(false)] out string? error)
    {
        if (field is null)
        {
            throw new ArgumentNullException(nameof(field));
        }

        text = (text ?? string.Empty).Trim();
        value = 0;
        if (text.Length == 0)
        {
            error = $"no value given for field {field.Name}";
            return false;
        }

        // A number first; a name that merely starts with a digit (8BIT) is still looked up among the named values.
        bool isNumber = IsNumeric(text) && SvdNumber.TryParseEnumeratedValue(text, out value, out ulong care) && care == ulong.MaxValue;
        if (!isNumber)
        {
            EnumeratedValue? named = FindWritable(field, text);
            if (named is null)
            {
                string[] names = field.EnumeratedValueSets.Where(s => s.DescribesWrites).SelectMany(s => s.Values).Where(v => !v.IsDefault && v.CareMask == ulong.MaxValue).Select(v => v.Name).ToArray();
                error = names.Length == 0
                    ? $"'{text}' is not a number (decimal, 0x hex, # or 0b binary, at most 64 bits), and field {field.Name} has no named values"
                    : $"'{text}' is not a number, and field {field.Name} has no value of that name; it has {string.Join(", ", names)}";
                value = 0;
                return false;
            }

            value = named.Value;
        }

        if (value > field.MaxValue)
        {
            error = string.Format(CultureInfo.InvariantCulture, "value 0x{0:X} does not fit field {1}{2}: {3} bit(s), at most 0x{4:X}", value, field.Name, field.BitRangeText(), field.BitWidth, field.MaxValue);
            value = 0;
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>Plans a write of one field (a read-modify-write unless the field covers the whole register).</summary>
    /// <param name="register">The register.</param>
    /// <param name="fieldName">The field's name (exact, else the only case-insensitive match).</param>
    /// <param name="valueText">The value: a number or an enumerated value's name.</param>
    /// <param name="write">The planned write.</param>
    /// <param name="error">Why it cannot be written: unknown field or value, value too wide, read-only field or register, or a register that cannot be read back safely.</param>
    /// <returns>True when <paramref name="write"/> is set.</returns>
    public static bool TryEncodeField(RegisterDescription register, string fieldName, string valueText, [NotNullWhen(true)] out RegisterWrite? write, [NotNullWhen(false)] out string? error)
    {
        if (register is null)
        {
            throw new ArgumentNullException(nameof(register));
        }

        write = null;
        FieldDescription? field = register.FindField(fieldName ?? string.Empty);
        if (field is null)
        {
            error = register.Fields.Count == 0
                ? $"register {register.Name} has no fields; write it whole ({register.Name}=VALUE)"
                : $"register {register.Name} has no field '{fieldName}'; it has {string.Join(", ", register.Fields.Select(f => f.Name))}";
            return false;
        }

        if (!register.Access.CanWrite())
        {
            error = $"register {register.Name} is read-only";
            return false;
        }

        if (!field.Access.CanWrite())
        {
            error = $"field {register.Name}.{field.Name}{field.BitRangeText()} is read-only";
            return false;
        }

        if (!TryParseFieldValue(field, valueText ?? string.Empty, out ulong value, out error))
        {
            return false;
        }

        ulong preserve = register.SizeMask & ~field.Mask;
        ulong forced = 0;
        foreach (FieldDescription other in register.Fields)
        {
            if (ReferenceEquals(other, field))
            {
                continue;
            }

            ulong bits = other.Mask & ~field.Mask;
            switch (other.ModifiedWriteValues)
            {
                case ModifiedWriteValues.OneToClear or ModifiedWriteValues.OneToSet or ModifiedWriteValues.OneToToggle:
                    preserve &= ~bits;
                    break;
                case ModifiedWriteValues.ZeroToClear or ModifiedWriteValues.ZeroToSet or ModifiedWriteValues.ZeroToToggle:
                    preserve &= ~bits;
                    forced |= bits;
                    break;
                default:
                    if (!other.Access.CanRead())
                    {
                        preserve &= ~bits;
                    }

                    break;
            }
        }

        if (preserve != 0 && !register.Access.CanRead())
        {
            error = $"register {register.Name} is write-only: writing field {field.Name} alone would need a read-modify-write; write the whole register ({register.Name}=VALUE)";
            return false;
        }

        if (preserve != 0 && register.ReadAction != ReadAction.None)
        {
            error = $"reading register {register.Name} has a side effect (readAction {register.ReadAction}): writing field {field.Name} alone would need a read-modify-write; write the whole register ({register.Name}=VALUE)";
            return false;
        }

        write = new RegisterWrite(register, field, field.Mask, value << field.Lsb, preserve, forced);
        return true;
    }

    /// <summary>Plans a write of a whole register (no read).</summary>
    /// <param name="register">The register.</param>
    /// <param name="valueText">The value, a number.</param>
    /// <param name="write">The planned write.</param>
    /// <param name="error">Why it cannot be written: read-only register, not a number, too wide.</param>
    /// <returns>True when <paramref name="write"/> is set.</returns>
    public static bool TryEncodeRegister(RegisterDescription register, string valueText, [NotNullWhen(true)] out RegisterWrite? write, [NotNullWhen(false)] out string? error)
    {
        if (register is null)
        {
            throw new ArgumentNullException(nameof(register));
        }

        write = null;
        string text = (valueText ?? string.Empty).Trim();
        if (!register.Access.CanWrite())
        {
            error = $"register {register.Name} is read-only";
            return false;
        }

        if (!IsNumeric(text) || !SvdNumber.TryParseEnumeratedValue(text, out ulong value, out ulong care) || care != ulong.MaxValue)
        {
            error = $"'{text}' is not a number (decimal, 0x hex, # or 0b binary, at most 64 bits)";
            return false;
        }

        if ((value & ~register.SizeMask) != 0)
        {
            error = string.Format(CultureInfo.InvariantCulture, "value 0x{0:X} does not fit register {1}: {2} bits", value, register.Name, register.Size);
            return false;
        }

        error = null;
        write = new RegisterWrite(register, null, register.SizeMask, value, 0, 0);
        return true;
    }

    /// <summary>
    /// Resolves a name in a peripheral: a register path (<c>CR</c>, <c>CH[3]</c>, <c>CLUSTER[1].REG</c>), optionally
    /// followed by <c>.FIELD</c>.
    /// </summary>
    /// <param name="peripheral">The peripheral.</param>
    /// <param name="name">The name.</param>
    /// <param name="register">The register instance.</param>
    /// <param name="field">The field, or null when the name is a register.</param>
    /// <param name="error">Why the name resolves to nothing, or null.</param>
    /// <returns>True when <paramref name="register"/> is set.</returns>
    public static bool TryResolve(PeripheralDescription peripheral, string name, [NotNullWhen(true)] out RegisterInstance? register, out FieldDescription? field, [NotNullWhen(false)] out string? error)
    {
        if (peripheral is null)
        {
            throw new ArgumentNullException(nameof(peripheral));
        }

        name = (name ?? string.Empty).Trim();
        field = null;
        error = null;
        register = peripheral.FindRegister(name);
        if (register is not null)
        {
            return true;
        }

        int dot = name.LastIndexOf('.');
        if (dot > 0 && peripheral.FindRegister(name.Substring(0, dot)) is { } owner)
        {
            string fieldName = name.Substring(dot + 1);
            field = owner.Register.FindField(fieldName);
            if (field is not null)
            {
                register = owner;
                return true;
            }

            error = $"register {owner.Path} of {peripheral.Name} has no field '{fieldName}'" + (owner.Register.Fields.Count == 0 ? string.Empty : "; it has " + string.Join(", ", owner.Register.Fields.Select(f => f.Name)));
            return false;
        }

        IEnumerable<string> known = peripheral.Registers.Select(r => r.Path);
        int total = peripheral.Registers.Count;
        error = $"{peripheral.Name} has no register '{name}'" + (total == 0 ? " (it has no registers)" : $"; it has {string.Join(", ", known.Take(12))}{(total > 12 ? $" and {total - 12} more" : string.Empty)}");
        return false;
    }

    /// <summary>
    /// Parses an assignment in a peripheral, <c>REG=VALUE</c> (a whole-register write) or <c>REG.FIELD=VALUE</c> (a
    /// field write by read-modify-write), as the tool's <c>write</c> takes it.
    /// </summary>
    /// <param name="peripheral">The peripheral.</param>
    /// <param name="assignment">The assignment text.</param>
    /// <param name="register">The register instance written.</param>
    /// <param name="write">The planned write.</param>
    /// <param name="error">Why the assignment is refused, or null.</param>
    /// <returns>True when <paramref name="register"/> and <paramref name="write"/> are set.</returns>
    public static bool TryParseAssignment(PeripheralDescription peripheral, string assignment, [NotNullWhen(true)] out RegisterInstance? register, [NotNullWhen(true)] out RegisterWrite? write, [NotNullWhen(false)] out string? error)
    {
        if (peripheral is null)
        {
            throw new ArgumentNullException(nameof(peripheral));
        }

        write = null;
        assignment ??= string.Empty;
        int eq = assignment.IndexOf('=');
        if (eq <= 0)
        {
            register = null;
            error = $"'{assignment}' is not an assignment NAME=VALUE";
            return false;
        }

        if (!TryResolve(peripheral, assignment.Substring(0, eq), out register, out FieldDescription? field, out error))
        {
            return false;
        }

        string value = assignment.Substring(eq + 1);
        bool ok = field is null
            ? TryEncodeRegister(register.Register, value, out write, out error)
            : TryEncodeField(register.Register, field.Name, value, out write, out error);
        if (!ok)
        {
            register = null;
        }

        return ok && write is not null;
    }

    /// <summary>Plans a write of one field; see <see cref="TryEncodeField"/>.</summary>
    /// <param name="register">The register.</param>
    /// <param name="fieldName">The field's name.</param>
    /// <param name="valueText">A number or an enumerated value's name.</param>
    /// <returns>The planned write.</returns>
    /// <exception cref="ArgumentException">The field, the value or the access is refused; the message says why.</exception>
    public static RegisterWrite EncodeField(RegisterDescription register, string fieldName, string valueText) =>
        TryEncodeField(register, fieldName, valueText, out RegisterWrite? write, out string? error) ? write : throw new ArgumentException(error, nameof(valueText));

    private static bool IsNumeric(string text) =>
        text.Length > 0 && (char.IsDigit(text[0]) || text[0] is '#' or '+');

    private static EnumeratedValue? FindWritable(FieldDescription field, string name)
    {
        EnumeratedValue? folded = null;
        int foldedCount = 0;
        foreach (EnumeratedValueSet set in field.EnumeratedValueSets)
        {
            if (!set.DescribesWrites)
            {
                continue;
            }

            foreach (EnumeratedValue v in set.Values)
            {
                if (v.IsDefault || v.CareMask != ulong.MaxValue)
                {
                    continue; // A default or a pattern names no single value to write.
                }

                if (string.Equals(v.Name, name, StringComparison.Ordinal))
                {
                    return v;
                }

                if (string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    folded = v;
                    foldedCount++;
                }
            }
        }

        return foldedCount == 1 ? folded : null;
    }
}
