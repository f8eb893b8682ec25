package org.vitrine.cli.gdb;

/**
 * The target description gdb reads with {@code qXfer:features:read:target.xml}: AArch64 with gdb's
 * standard core and FP/SIMD features, so register numbers are gdb's own: x0-x30 0-30, sp 31, pc 32,
 * cpsr 33, v0-v31 34-65, fpsr 66, fpcr 67 (the order of the {@code g} packet).
 */
final class TargetDescription {
    static final int SP = 31, PC = 32, CPSR = 33, V0 = 34, FPSR = 66, FPCR = 67, COUNT = 68;

    private TargetDescription() { }

    /** Size in bytes of register {@code n} in the {@code g}/{@code p} packets. */
    static int size(int n) {
        if (n <= PC) return 8;
        if (n == CPSR || n == FPSR || n == FPCR) return 4;
        return 16;
    }

    static final String XML = """
<?xml version="1.0"?>
<!DOCTYPE target SYSTEM "gdb-target.dtd">
<target>
<architecture>aarch64</architecture>
<feature name="org.gnu.gdb.aarch64.core">
  <reg name="x0" bitsize="64" type="int" regnum="0"/>
  <reg name="x1" bitsize="64" type="int" regnum="1"/>
  <reg name="x2" bitsize="64" type="int" regnum="2"/>
  <reg name="x3" bitsize="64" type="int" regnum="3"/>
  <reg name="x4" bitsize="64" type="int" regnum="4"/>
  <reg name="x5" bitsize="64" type="int" regnum="5"/>
  <reg name="x6" bitsize="64" type="int" regnum="6"/>
  <reg name="x7" bitsize="64" type="int" regnum="7"/>
  <reg name="x8" bitsize="64" type="int" regnum="8"/>
  <reg name="x9" bitsize="64" type="int" regnum="9"/>
  <reg name="x10" bitsize="64" type="int" regnum="10"/>
  <reg name="x11" bitsize="64" type="int" regnum="11"/>
  <reg name="x12" bitsize="64" type="int" regnum="12"/>
  <reg name="x13" bitsize="64" type="int" regnum="13"/>
  <reg name="x14" bitsize="64" type="int" regnum="14"/>
  <reg name="x15" bitsize="64" type="int" regnum="15"/>
  <reg name="x16" bitsize="64" type="int" regnum="16"/>
  <reg name="x17" bitsize="64" type="int" regnum="17"/>
  <reg name="x18" bitsize="64" type="int" regnum="18"/>
  <reg name="x19" bitsize="64" type="int" regnum="19"/>
  <reg name="x20" bitsize="64" type="int" regnum="20"/>
  <reg name="x21" bitsize="64" type="int" regnum="21"/>
  <reg name="x22" bitsize="64" type="int" regnum="22"/>
  <reg name="x23" bitsize="64" type="int" regnum="23"/>
  <reg name="x24" bitsize="64" type="int" regnum="24"/>
  <reg name="x25" bitsize="64" type="int" regnum="25"/>
  <reg name="x26" bitsize="64" type="int" regnum="26"/>
  <reg name="x27" bitsize="64" type="int" regnum="27"/>
  <reg name="x28" bitsize="64" type="int" regnum="28"/>
  <reg name="x29" bitsize="64" type="int" regnum="29"/>
  <reg name="x30" bitsize="64" type="int" regnum="30"/>
  <reg name="sp" bitsize="64" type="data_ptr"/>
  <reg name="pc" bitsize="64" type="code_ptr"/>
  <flags id="cpsr_flags" size="4">
    <field name="SP" start="0" end="0"/>
    <field name="EL" start="2" end="3"/>
    <field name="nRW" start="4" end="4"/>
    <field name="F" start="6" end="6"/>
    <field name="I" start="7" end="7"/>
    <field name="A" start="8" end="8"/>
    <field name="D" start="9" end="9"/>
    <field name="IL" start="20" end="20"/>
    <field name="SS" start="21" end="21"/>
    <field name="PAN" start="22" end="22"/>
    <field name="V" start="28" end="28"/>
    <field name="C" start="29" end="29"/>
    <field name="Z" start="30" end="30"/>
    <field name="N" start="31" end="31"/>
  </flags>
  <reg name="cpsr" bitsize="32" type="cpsr_flags"/>
</feature>
<feature name="org.gnu.gdb.aarch64.fpu">
  <vector id="v2d" type="ieee_double" count="2"/>
  <vector id="v2u" type="uint64" count="2"/>
  <vector id="v2i" type="int64" count="2"/>
  <vector id="v4f" type="ieee_single" count="4"/>
  <vector id="v4u" type="uint32" count="4"/>
  <vector id="v4i" type="int32" count="4"/>
  <vector id="v8u" type="uint16" count="8"/>
  <vector id="v8i" type="int16" count="8"/>
  <vector id="v16u" type="uint8" count="16"/>
  <vector id="v16i" type="int8" count="16"/>
  <vector id="v1u" type="uint128" count="1"/>
  <vector id="v1i" type="int128" count="1"/>
  <union id="vnd"><field name="f" type="v2d"/><field name="u" type="v2u"/><field name="s" type="v2i"/></union>
  <union id="vns"><field name="f" type="v4f"/><field name="u" type="v4u"/><field name="s" type="v4i"/></union>
  <union id="vnh"><field name="u" type="v8u"/><field name="s" type="v8i"/></union>
  <union id="vnb"><field name="u" type="v16u"/><field name="s" type="v16i"/></union>
  <union id="vnq"><field name="u" type="v1u"/><field name="s" type="v1i"/></union>
  <union id="aarch64v"><field name="d" type="vnd"/><field name="s" type="vns"/><field name="h" type="vnh"/><field name="b" type="vnb"/><field name="q" type="vnq"/></union>
  <reg name="v0" bitsize="128" type="aarch64v" regnum="34"/>
  <reg name="v1" bitsize="128" type="aarch64v" regnum="35"/>
  <reg name="v2" bitsize="128" type="aarch64v" regnum="36"/>
  <reg name="v3" bitsize="128" type="aarch64v" regnum="37"/>
  <reg name="v4" bitsize="128" type="aarch64v" regnum="38"/>
  <reg name="v5" bitsize="128" type="aarch64v" regnum="39"/>
  <reg name="v6" bitsize="128" type="aarch64v" regnum="40"/>
  <reg name="v7" bitsize="128" type="aarch64v" regnum="41"/>
  <reg name="v8" bitsize="128" type="aarch64v" regnum="42"/>
  <reg name="v9" bitsize="128" type="aarch64v" regnum="43"/>
  <reg name="v10" bitsize="128" type="aarch64v" regnum="44"/>
  <reg name="v11" bitsize="128" type="aarch64v" regnum="45"/>
  <reg name="v12" bitsize="128" type="aarch64v" regnum="46"/>
  <reg name="v13" bitsize="128" type="aarch64v" regnum="47"/>
  <reg name="v14" bitsize="128" type="aarch64v" regnum="48"/>
  <reg name="v15" bitsize="128" type="aarch64v" regnum="49"/>
  <reg name="v16" bitsize="128" type="aarch64v" regnum="50"/>
  <reg name="v17" bitsize="128" type="aarch64v" regnum="51"/>
  <reg name="v18" bitsize="128" type="aarch64v" regnum="52"/>
  <reg name="v19" bitsize="128" type="aarch64v" regnum="53"/>
  <reg name="v20" bitsize="128" type="aarch64v" regnum="54"/>
  <reg name="v21" bitsize="128" type="aarch64v" regnum="55"/>
  <reg name="v22" bitsize="128" type="aarch64v" regnum="56"/>
  <reg name="v23" bitsize="128" type="aarch64v" regnum="57"/>
  <reg name="v24" bitsize="128" type="aarch64v" regnum="58"/>
  <reg name="v25" bitsize="128" type="aarch64v" regnum="59"/>
  <reg name="v26" bitsize="128" type="aarch64v" regnum="60"/>
  <reg name="v27" bitsize="128" type="aarch64v" regnum="61"/>
  <reg name="v28" bitsize="128" type="aarch64v" regnum="62"/>
  <reg name="v29" bitsize="128" type="aarch64v" regnum="63"/>
  <reg name="v30" bitsize="128" type="aarch64v" regnum="64"/>
  <reg name="v31" bitsize="128" type="aarch64v" regnum="65"/>
  <reg name="fpsr" bitsize="32"/>
  <reg name="fpcr" bitsize="32"/>
</feature>
</target>
            """;
}
