/* Progressive: keeps the answers in this phone and retries when the network drops. */
(function(){var f=document.getElementById("sv-form");if(!f||!window.fetch||!window.localStorage)return;
var K="ln-sv-"+f.unit.value,st=document.getElementById("sv-status"),sending=false;
function read(){var d={unit:f.unit.value,client_id:f.client_id.value,key:f.k.value,template:+f.template.value||null,answers:{},comment:f.comment.value,dossier_code:f.dossier_code.value};
f.querySelectorAll("fieldset.sv-q").forEach(function(fs){var k=fs.id.slice(2),t=fs.getAttribute("data-type"),ta=fs.querySelector("textarea");
if(ta){d.answers[k]=ta.value;return}var v=[];fs.querySelectorAll("input:checked").forEach(function(i){v.push(i.value)});d.answers[k]=t=="multiple"?v:(v[0]||"")});return d}
function restore(d){f.client_id.value=d.client_id;f.comment.value=d.comment||"";f.dossier_code.value=d.dossier_code||"";
Object.keys(d.answers||{}).forEach(function(k){var fs=document.getElementById("q-"+k);if(!fs)return;var v=d.answers[k],ta=fs.querySelector("textarea");
if(ta){ta.value=v;return}fs.querySelectorAll("input").forEach(function(i){i.checked=[].concat(v).indexOf(i.value)>=0})})}
function say(m,e){st.hidden=false;st.textContent=m;st.className="alert "+(e?"error":"success")}
function save(){try{localStorage.setItem(K,JSON.stringify(read()))}catch(e){}}
function send(){if(sending)return;var raw=localStorage.getItem(K);if(!raw)return;sending=true;var d=JSON.parse(raw);
fetch("/api/v1/surveys/responses",{method:"POST",headers:{"Content-Type":"application/json"},credentials:"same-origin",body:JSON.stringify(d)})
.then(function(r){sending=false;if(r.status==200||r.status==201){localStorage.removeItem(K);location.href="/khao-sat/"+d.unit+"/cam-on/";return}
if(r.status>=400&&r.status<500){localStorage.removeItem(K);f.submit();return}
say("Máy chủ đang bận. Phiếu đã được lưu trên máy và sẽ tự gửi lại.",1);setTimeout(send,15000)})
.catch(function(){sending=false;say("Mất kết nối mạng. Phiếu đã được lưu trên máy, sẽ tự gửi khi có mạng.",1);setTimeout(send,10000)})}
var old=localStorage.getItem(K);if(old){try{restore(JSON.parse(old))}catch(e){}}
else if(window.crypto&&crypto.randomUUID&&!document.getElementById("form-error")){f.client_id.value=crypto.randomUUID()}
f.addEventListener("change",save);f.addEventListener("input",save);
/* Required questions checked here first, so a citizen never sends a refused form (the server
   checks again): each missing answer named and marked, the focus on the first one. */
function answered(fs){var ta=fs.querySelector("textarea");return ta?!!ta.value.trim():!!fs.querySelector("input:checked")}
function mark(fs,bad){var p=fs.querySelector(".field-error");fs.classList.toggle("sv-invalid",bad);
if(bad&&!p){p=document.createElement("p");p.className="field-error";fs.insertBefore(p,fs.querySelector("legend").nextSibling)}
if(p)p.textContent=bad?"Vui lòng trả lời câu hỏi này.":"";if(p&&!bad)p.remove()}
function check(){var missing=[];f.querySelectorAll("fieldset.sv-q[data-required]").forEach(function(fs){var bad=!answered(fs);mark(fs,bad);if(bad)missing.push(fs)});
if(!missing.length){st.hidden=true;return true}
st.hidden=false;st.className="alert error";st.textContent="";var p=document.createElement("p");p.textContent="Phiếu chưa gửi được. Vui lòng trả lời:";var ul=document.createElement("ul");
missing.forEach(function(fs){var li=document.createElement("li"),a=document.createElement("a");a.href="#"+fs.id;a.textContent=fs.getAttribute("data-label");li.appendChild(a);ul.appendChild(li)});
st.appendChild(p);st.appendChild(ul);missing[0].focus();return false}
f.addEventListener("change",function(e){var fs=e.target.closest&&e.target.closest("fieldset.sv-q[data-required]");if(fs&&fs.classList.contains("sv-invalid")&&answered(fs))mark(fs,false)});
f.addEventListener("submit",function(e){e.preventDefault();if(!check())return;save();send()});
window.addEventListener("online",send);})();
