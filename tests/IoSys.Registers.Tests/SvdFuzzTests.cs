using System.Xml.Linq;
using CsCheck;
using IoSys.Registers.Descriptions;
using IoSys.Registers.Descriptions.Svd;

namespace IoSys.Registers.Tests;

/// <summary>Random mutations of valid SVD files: the reader reports, never throws, never hits its internal-error net.</summary>
public class SvdFuzzTests
{
    private static readonly string[] Seeds =
    [
        File.ReadAllText(SvdText.Shipped("pl011.svd")),
        File.ReadAllText(SvdText.Shipped("edu.svd")),
        SvdText.Registers(
            """
            <register derivedFrom="B"><name>A</name><addressOffset>0</addressOffset></register>
            <register><name>B</name><addressOffset>4</addressOffset><fields><field><name>F</name><bitRange>[3:0]</bitRange><enumeratedValues><name>E</name><enumeratedValue><name>X</name><value>#1x</value></enumeratedValue><enumeratedValue><name>D</name><isDefault>true</isDefault></enumeratedValue></enumeratedValues></field>
            <field derivedFrom="F"><name>G</name><lsb>4</lsb><msb>7</msb></field><field><dim>2</dim><dimIncrement>1</dimIncrement><name>H%s</name><bitOffset>8</bitOffset></field></fields></register>
            <cluster><dim>2</dim><dimIncrement>0x10</dimIncrement><dimIndex>A-B</dimIndex><name>C[%s]</name><addressOffset>0x100</addressOffset><register><name>R</name><addressOffset>0</addressOffset></register></cluster>
            """),
    ];

    private static readonly string[] Tokens =
    [
        "0", "1", "-1", "0x", "#1x", "%s", "[%s]", "[63:0]", "[0:63]", "65", "99999999999999999999", "read-only", "oneToClear",
        "true", "A-Z", "0-3", "", " ", "<", "&amp;", "P", "R", "B", "F", "E", "C.R", "P.B.F.E", "4k",
    ];

    private static readonly string[] ElementNames =
    [
        "dim", "dimIncrement", "dimIndex", "name", "addressOffset", "size", "access", "resetValue", "resetMask", "bitRange", "lsb",
        "msb", "bitOffset", "bitWidth", "value", "isDefault", "usage", "cluster", "register", "field", "enumeratedValues",
        "enumeratedValue", "fields", "registers", "baseAddress", "readAction", "modifiedWriteValues", "alternateRegister",
    ];

    /// <summary>One structural mutation of a document: change a text, an attribute, drop, duplicate, move or add an element.</summary>
    private static string Mutate(string xml, int kind, uint pick, uint pick2, string token)
    {
        XDocument doc = XDocument.Parse(xml);
        XElement[] all = doc.Descendants().ToArray();
        XElement target = all[(int)(pick % (uint)all.Length)];
        XElement other = all[(int)(pick2 % (uint)all.Length)];
        switch (kind)
        {
            case 0:
                if (!target.HasElements)
                {
                    target.Value = token;
                }

                break;
            case 1:
                if (target.Parent is not null)
                {
                    target.Remove();
                }

                break;
            case 2:
                if (target.Parent is not null)
                {
                    target.AddAfterSelf(new XElement(target));
                }

                break;
            case 3:
                target.SetAttributeValue("derivedFrom", token);
                break;
            case 4:
                target.Add(new XElement(ElementNames[pick2 % (uint)ElementNames.Length], token));
                break;
            case 5:
                if (other != target && !other.AncestorsAndSelf().Contains(target) && target.Parent is not null)
                {
                    other.Add(new XElement(target));
                }

                break;
            default:
                target.Name = ElementNames[pick2 % (uint)ElementNames.Length];
                break;
        }

        return doc.ToString();
    }

    [Fact]
    public void Mutated_files_never_throw_and_never_reach_the_internal_error_net()
    {
        Gen.Select(Gen.Int[0, Seeds.Length - 1], Gen.Int[1, 6], Gen.Int[0, 6].Array[1, 6], Gen.UInt.Array[12], Gen.Int[0, Tokens.Length - 1].Array[6])
            .Sample(
                (seed, steps, kinds, picks, tokens) =>
                {
                    string xml = Seeds[seed];
                    for (int i = 0; i < Math.Min(steps, kinds.Length); i++)
                    {
                        xml = Mutate(xml, kinds[i], picks[2 * i], picks[(2 * i) + 1], Tokens[tokens[i]]);
                    }

                    SvdReadResult result = SvdText.Parse(xml);
                    Exercise(result);
                    return result.Diagnostics.All(d => d.Code != "SVD999" && d.Location.Line > 0);
                },
                iter: 400);
    }

    [Fact]
    public void Random_byte_damage_never_throws()
    {
        byte[] seed = System.Text.Encoding.UTF8.GetBytes(Seeds[2]);
        Gen.Select(Gen.Int[0, seed.Length - 1].Array[1, 8], Gen.Byte.Array[8])
            .Sample(
                (positions, bytes) =>
                {
                    byte[] copy = (byte[])seed.Clone();
                    for (int i = 0; i < positions.Length; i++)
                    {
                        copy[positions[i]] = bytes[i];
                    }

                    SvdReadResult result = SvdText.Parse(System.Text.Encoding.UTF8.GetString(copy));
                    Exercise(result);
                    return result.Diagnostics.All(d => d.Code != "SVD999");
                },
                iter: 400);
    }

    /// <summary>Uses what was read, as a tool would: lookups, decoding and encoding must not throw either.</summary>
    private static void Exercise(SvdReadResult result)
    {
        _ = result.ToString();
        foreach (PeripheralDescription p in result.Device?.Peripherals ?? [])
        {
            _ = p.Span;
            foreach (RegisterInstance r in p.Registers.Take(50))
            {
                _ = p.FindRegister(r.Path);
                _ = RegisterCodec.Decode(r.Register, ulong.MaxValue);
                foreach (FieldDescription f in r.Register.Fields)
                {
                    _ = RegisterCodec.TryEncodeField(r.Register, f.Name, "1", out _, out _);
                }

                _ = RegisterCodec.TryParseAssignment(p, r.Path + "=0", out _, out _, out _);
            }
        }
    }
}
